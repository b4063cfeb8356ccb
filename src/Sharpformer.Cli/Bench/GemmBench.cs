using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Sharpformer.Cli.Commands;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `sharpformer bench gemm`: the machine's FMA peak, then GFLOP/s of <see cref="Gemm"/> on square and
/// transformer shapes for 1 and 2 threads, each with the fraction of the peak measured in the same run.
/// </summary>
internal static class GemmBench
{
    private sealed record Shape(string Name, int Batch, bool TransA, bool TransB, int M, int N, int K)
    {
        public double Flops => 2.0 * Batch * M * N * K;
    }

    // op(A) (M, K) · op(B) (K, N); names are MxNxK.
    private static readonly Shape[] MainShapes =
    [
        Square(256), Square(512), Square(1024), Square(2048),
        new("4096x1536x384", 1, false, false, 4096, 1536, 384),   // (4096×384)·(384×1536): MLP up-projection
        new("4096x384x1536", 1, false, false, 4096, 384, 1536),   // (4096×1536)·(1536×384): MLP down-projection
    ];

    private static readonly Shape[] MoreShapes =
    [
        new("1024x1024x1024 transA", 1, true, false, 1024, 1024, 1024),
        new("1024x1024x1024 transB", 1, false, true, 1024, 1024, 1024),
        new("4096x1536x384 transB", 1, false, true, 4096, 1536, 384),     // x·Wᵀ of a Linear forward
        new("1536x384x4096 transA", 1, true, false, 1536, 384, 4096),     // dW = dYᵀ·X of its backward
        new("768x384x128", 1, false, false, 768, 384, 128),
        new("768x128x512", 1, false, false, 768, 128, 512),
        new("768x512x128", 1, false, false, 768, 512, 128),                 // shakespeare-cpu's MLP up-projection, B12 × T64 tokens
        new("128x512x768 transA", 1, true, false, 128, 512, 768),          // its dW, the product a training step spends most on
        new("512x128x768 transA", 1, true, false, 512, 128, 768),
        new("batch48 64x64x32", 48, false, false, 64, 64, 32),            // attention Q·Kᵀ per head
        new("batch48 64x32x64", 48, false, false, 64, 32, 64),            // attention P·V per head
        new("batch48 256x256x64", 48, false, false, 256, 256, 64),
    ];

    private static Shape Square(int s) => new($"{s}x{s}x{s}", 1, false, false, s, s, s);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The assembly is loaded from disk whole, not trimmed; a native build refuses before loading (GemmBaseline.Load).")]
    private static GemmBaseline LoadBaseline(string path) => GemmBaseline.Load(path);

    public static Command Create()
    {
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per case; the median is reported", DefaultValueFactory = _ => 5 };
        var quick = new Option<bool>("--quick") { Description = "Only the square and MLP shapes, with shorter repeats" };
        var only = new Option<string?>("--only") { Description = "Only the shapes whose name contains this text, e.g. batch48 or 1024x" };
        var baseline = new Option<string?>("--baseline")
        {
            Description = "Sharpformer.Core.dll of another build (or its folder): time it against this build, call for call in this process, and report the ratio",
        };
        var command = new Command("gemm", "SGEMM GFLOP/s for 1 and 2 threads beside the measured FMA peak.");
        command.Options.Add(repeats);
        command.Options.Add(quick);
        command.Options.Add(only);
        command.Options.Add(baseline);
        command.SetAction(parsed =>
        {
            int count = parsed.GetValue(repeats);
            if (count < 1) throw new ArgumentException($"--repeats must be at least 1, got {count}.");
            string? baselinePath = parsed.GetValue(baseline);
            GemmBaseline? other = baselinePath == null ? null : LoadBaseline(baselinePath);
            var report = new BenchReport(parsed.InvocationConfiguration.Output, parsed.GetValue(BenchCommand.Json));
            Run(report, count, parsed.GetValue(quick), parsed.GetValue(only), other);
            return 0;
        });
        return command;
    }

    private static void Run(BenchReport report, int repeats, bool quick, string? only, GemmBaseline? baseline)
    {
        int[] threadCounts = [1, 2];
        var peak = new Dictionary<int, double>();
        // A comparison with a baseline build reports ratios, not fractions of the peak.
        foreach (int threads in baseline == null ? threadCounts : [])
        {
            peak[threads] = FmaPeak.Measure(threads, trials: quick ? 3 : 7);
            report.Add("fma-peak", $"threads={threads}", peak[threads], "GFLOP/s");
        }

        report.Note($"path: {Gemm.Path}");
        double minSeconds = quick ? 0.05 : 0.2;
        Shape[] shapes = quick ? MainShapes : [.. MainShapes, .. MoreShapes];
        foreach (var shape in shapes.Where(s => only == null || s.Name.Contains(only, StringComparison.Ordinal)))
        {
            var operands = new Operands(shape);
            foreach (int threads in threadCounts)
            {
                using var scope = Parallelism.UseThreads(threads);
                if (baseline != null)
                {
                    Compare(report, shape, operands, threads, repeats, minSeconds, baseline);
                    continue;
                }
                var (median, best, adjacent, cpu) = Measure(shape, operands, threads, repeats, minSeconds);
                report.Add("gemm", $"{shape.Name} threads={threads}", median, "GFLOP/s", new Dictionary<string, object>
                {
                    ["fraction_of_peak"] = median / peak[threads],
                    ["fraction_of_adjacent_peak"] = adjacent,
                    ["best"] = best,
                    ["cpu_gflops"] = cpu,
                    ["cpu_fraction_of_peak"] = cpu / peak[threads],
                    ["path"] = Gemm.Path.Isa,
                    ["tile"] = $"{Gemm.Path.MR}x{Gemm.Path.NR}",
                    ["kc"] = Gemm.Path.KcMax,
                    ["nc"] = Gemm.Path.NcMax,
                });
            }
        }
        if (baseline != null)
        {
            report.Note("value: median over the repeats of (baseline time / this build's time), each repeat timing both builds");
            report.Note("one after the other on the same operands; above 1 this build is faster.");
            return;
        }
        report.Note("value: median GFLOP/s of the repeats; best: the fastest repeat; fraction_of_peak: the median over the FMA peak");
        report.Note("of the same thread count, measured above in this run; fraction_of_adjacent_peak: the median over the repeats");
        report.Note("of each repeat's GFLOP/s over an FMA-peak trial run just before it (the cores this VM shares change by the second);");
        report.Note("cpu_gflops: the median over the repeats of flops × threads / the process's CPU time, the rate while the product");
        report.Note("holds its cores (time the machine gives to other processes does not count; time spent waiting does).");
    }

    /// <summary>
    /// Median and best GFLOP/s over `repeats` timed runs, each of enough calls to last at least minSeconds, and
    /// the median of each run's GFLOP/s over a one-trial FMA peak measured right before it on as many threads, and
    /// the median of flops × threads over the process's CPU time per run.
    /// </summary>
    private static (double Median, double Best, double AdjacentFraction, double CpuGflops) Measure(Shape shape, Operands x, int threads, int repeats, double minSeconds)
    {
        Action call = Call(shape, x, OursMultiply, OursMultiplyBatched);
        // Long enough for the JIT to recompile the driver and packing code at its top tier: the first tens of calls
        // of a small product run them at tier 0, at half speed.
        Stopwatches.WarmUp(call, minSeconds: Math.Max(0.2, 2 * minSeconds), minRuns: 3);
        double once = Stopwatches.Median(Stopwatches.Time(call, repeats: 3, warmups: 0));
        int calls = Math.Max(1, (int)Math.Ceiling(minSeconds / Math.Max(once, 1e-9)));
        double flops = shape.Flops * calls / 1e9;
        var seconds = new double[repeats];
        var fractions = new double[repeats];
        var cpuRates = new double[repeats];
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            double adjacentPeak = FmaPeak.Measure(threads, trials: 1);
            process.Refresh();
            TimeSpan cpuBefore = process.TotalProcessorTime;
            seconds[r] = Stopwatches.Time(() => { for (int i = 0; i < calls; i++) call(); }, repeats: 1, warmups: 0)[0];
            process.Refresh();
            double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            fractions[r] = flops / seconds[r] / adjacentPeak;
            cpuRates[r] = flops * threads / Math.Max(cpuSeconds, 1e-9);
        }
        return (flops / Stopwatches.Median(seconds), flops / seconds.Min(), Stopwatches.Median(fractions), Stopwatches.Median(cpuRates));
    }

    /// <summary>This build against the baseline on one shape: the paired ratio and each side's GFLOP/s.</summary>
    private static void Compare(BenchReport report, Shape shape, Operands x, int threads, int repeats, double minSeconds, GemmBaseline baseline)
    {
        baseline.ThreadCount = threads;
        Action ours = Call(shape, x, OursMultiply, OursMultiplyBatched);
        Action theirs = Call(shape, x, baseline.Multiply, baseline.MultiplyBatched);
        double once = Stopwatches.Median(Stopwatches.Time(ours, repeats: 3));
        int calls = Math.Max(1, (int)Math.Ceiling(minSeconds / Math.Max(once, 1e-9)));
        var (ratio, ourSeconds, baselineSeconds) = GemmBaseline.Pair(ours, theirs, calls, Math.Max(repeats, 5));
        double flops = shape.Flops * calls / 1e9;
        report.Add("gemm-vs-baseline", $"{shape.Name} threads={threads}", ratio, "x", new Dictionary<string, object>
        {
            ["gflops"] = flops / ourSeconds,
            ["baseline_gflops"] = flops / baselineSeconds,
        });
    }

    private delegate void Multiply(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc);

    private delegate void MultiplyBatched(int batch, bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, long strideA, float[] b, int ldb, long strideB, float[] c, int ldc, long strideC);

    private static readonly Multiply OursMultiply = (ta, tb, m, n, k, a, lda, b, ldb, c, ldc) =>
        Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);

    private static readonly MultiplyBatched OursMultiplyBatched = (batch, ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc) =>
        Gemm.MultiplyBatched(batch, ta, tb, m, n, k, a, lda, sa, b, ldb, sb, c, ldc, sc);

    // One product of the shape through the given entry points (this build's or the baseline's).
    private static Action Call(Shape s, Operands x, Multiply multiply, MultiplyBatched multiplyBatched) => s.Batch == 1
        ? () => multiply(s.TransA, s.TransB, s.M, s.N, s.K, x.A, x.Lda, x.B, x.Ldb, x.C, s.N)
        : () => multiplyBatched(s.Batch, s.TransA, s.TransB, s.M, s.N, s.K,
            x.A, x.Lda, (long)s.M * s.K, x.B, x.Ldb, (long)s.K * s.N, x.C, s.N, (long)s.M * s.N);

    /// <summary>Random operands for one shape, stored as the transposes say.</summary>
    private sealed class Operands
    {
        public readonly float[] A, B, C;
        public readonly int Lda, Ldb;

        public Operands(Shape s)
        {
            var rng = new Rng(1234);
            A = Random(rng, (long)s.Batch * s.M * s.K);
            B = Random(rng, (long)s.Batch * s.K * s.N);
            C = new float[(long)s.Batch * s.M * s.N];
            Lda = s.TransA ? s.M : s.K;
            Ldb = s.TransB ? s.K : s.N;
        }

        private static float[] Random(Rng rng, long count)
        {
            var values = new float[count];
            for (long i = 0; i < count; i++) values[i] = (float)rng.NextDouble() - 0.5f;
            return values;
        }
    }
}
