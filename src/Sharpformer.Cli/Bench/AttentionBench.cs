using System.CommandLine;
using System.Diagnostics;
using Sharpformer.Cli.Commands;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `sharpformer bench attention`: forward and forward+backward time of each attention variant (full, flash,
/// window, topk; see <see cref="AttentionBenchKernel"/>) for B = 1, 8 heads, hs = 64 over sequence lengths
/// 512 … max-t, causal and not. Each row carries the median ms, GFLOP/s, the fraction of the T² scores computed
/// and `peak_mb`: the memory the call needs beyond its inputs (outputs and saved tensors, the kernel's per-thread
/// scratch, and managed allocations during the call).
/// </summary>
internal static class AttentionBench
{
    private const int Heads = 8, HeadSize = 64;

    public static Command Create()
    {
        var maxT = new Option<int>("--max-t") { Description = "Longest sequence length (512, 1K, 2K … doubling up to this; 16384 adds 16K)", DefaultValueFactory = _ => 8192 };
        var minT = new Option<int>("--min-t") { Description = "Shortest sequence length (a power-of-two multiple of 512)", DefaultValueFactory = _ => 512 };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per case (median reported), after one warm-up", DefaultValueFactory = _ => 3 };
        var variants = new Option<string>("--variants") { Description = $"Comma-separated variants to measure: {AttentionBenchKernel.Supported} (e.g. window:256)", DefaultValueFactory = _ => "full,flash" };
        var forwardOnly = new Option<bool>("--forward-only") { Description = "Measure only the forward pass" };
        var fullMaxGb = new Option<double>("--full-max-gb") { Description = "Skip full attention where its probability matrix exceeds this many GiB", DefaultValueFactory = _ => 2.0 };
        var command = new Command("attention", "Attention kernels: median ms, GFLOP/s and peak memory per variant, length, mask and pass.");
        command.Options.Add(minT);
        command.Options.Add(maxT);
        command.Options.Add(repeats);
        command.Options.Add(variants);
        command.Options.Add(forwardOnly);
        command.Options.Add(fullMaxGb);
        command.SetAction(parse =>
        {
            var report = new BenchReport(parse.InvocationConfiguration.Output, parse.GetValue(BenchCommand.Json));
            Run(report, parse.GetValue(minT), parse.GetValue(maxT), parse.GetValue(repeats), ParseVariants(parse.GetValue(variants)!), parse.GetValue(fullMaxGb), parse.GetValue(forwardOnly));
            return 0;
        });
        return command;
    }

    private static string[] ParseVariants(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names) AttentionBenchKernel.Validate(name);
        return names;
    }

    private static void Run(BenchReport report, int minT, int maxT, int repeats, string[] variants, double fullMaxGb, bool forwardOnly)
    {
        if (minT < 512) throw new ArgumentException($"--min-t must be at least 512, got {minT}.");
        if (maxT < minT) throw new ArgumentException($"--max-t must be at least --min-t ({minT}), got {maxT}.");
        if (repeats < 1) throw new ArgumentException($"--repeats must be at least 1, got {repeats}.");
        report.Note($"attention: B=1, heads={Heads}, hs={HeadSize}, threads={Parallelism.ThreadCount}, median of {repeats}; " +
                    "peak_mb = outputs + saved tensors + kernel scratch + managed allocations during the call");
        var inputs = new Inputs(maxT);
        // Lengths outermost: kernel scratch only grows, so this way each row's peak_mb is that of its own length
        // (window and topk share the block-sparse scratch), and the variants of one length run close together in time.
        for (int t = 512; t <= maxT; t *= 2)
        {
            if (t < minT) continue;
            foreach (var variant in variants)
                foreach (bool causal in new[] { false, true })
                {
                    var shape = AttentionShape.Create(1, Heads, t, t, HeadSize, causal);
                    if (variant == "full" && shape.ScoreSize * 4.0 > fullMaxGb * (1L << 30))
                    {
                        report.Note($"full T={t}: skipped, probabilities would take {shape.ScoreSize * 4.0 / (1L << 30):F1} GiB (--full-max-gb {fullMaxGb})");
                        continue;
                    }
                    Measure(report, variant, shape, inputs, repeats, forwardOnly);
                }
        }
    }

    private static void Measure(BenchReport report, string variant, AttentionShape shape, Inputs inputs, int repeats, bool forwardOnly)
    {
        int n = (int)shape.QuerySize;
        var kernel = AttentionBenchKernel.Create(variant, shape, inputs.Q.AsMemory(0, n), inputs.K.AsMemory(0, n), inputs.V.AsMemory(0, n),
            inputs.DO.AsMemory(0, n));
        string mask = shape.Causal ? "causal" : "noncausal";
        double fraction = double.NaN, pairs = 0;
        foreach (bool withBackward in forwardOnly ? new[] { false } : new[] { false, true })
        {
            Action call = withBackward ? () => { kernel.Forward(); kernel.Backward(); } : kernel.Forward;
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var seconds = Stopwatches.Time(call, repeats);
            // CPU time per call (warm-up included): on a shared machine this shows the work done, which
            // wall time alone hides when other processes take turns on the cores.
            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / (repeats + 1);
            long allocatedPerCall = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (repeats + 1);
            double ms = Stopwatches.Median(seconds) * 1e3;
            if (double.IsNaN(fraction)) (fraction, pairs) = (kernel.ComputedScoreFraction(), kernel.UsefulPairs()); // after a forward: topk chooses its tiles there
            // FLOPs of the math (2 per multiply-add, over the scores that count): forward QKᵀ and PV,
            // backward dP, dQ, dK, dV; recomputed products are not counted.
            double flops = pairs * shape.HeadSize * (withBackward ? 12 : 4);
            double peakMb = (kernel.OutputBytes(withBackward) + kernel.ScratchBytes(withBackward) + allocatedPerCall) / (1024.0 * 1024.0);
            report.Add("attention", $"{variant} T={shape.QueryLength} {mask} {(withBackward ? "fwdbwd" : "fwd")}", ms, "ms",
                new Dictionary<string, object>
                {
                    ["peak_mb"] = peakMb, ["fraction"] = fraction, ["gflops"] = flops / (ms * 1e6), ["min_ms"] = seconds.Min() * 1e3,
                    ["cpu_ms"] = cpuMs, ["gflops_per_cpu_s"] = flops / (cpuMs * 1e6),
                });
        }
    }

    /// <summary>Q, K, V and dO for the longest length; shorter cases use a prefix.</summary>
    private sealed class Inputs
    {
        public readonly float[] Q, K, V, DO;

        public Inputs(int maxT)
        {
            int n = Heads * maxT * HeadSize; // (1·nh, T, hs)
            var rng = new Rng(1234);
            Q = new float[n]; K = new float[n]; V = new float[n]; DO = new float[n];
            rng.FillNormal(Q, 1f);
            rng.FillNormal(K, 1f);
            rng.FillNormal(V, 1f);
            rng.FillNormal(DO, 1f);
        }
    }
}
