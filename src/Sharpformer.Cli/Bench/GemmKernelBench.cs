using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Sharpformer.Cli.Commands;
using Sharpformer.Kernels;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `sharpformer bench gemm-kernel`: the GEMM micro-kernel alone on one thread, with its operands where the blocked
/// product keeps them and elsewhere, beside the register-only FMA peak. It tells a CPU's kernel losses (spills, ports,
/// the loop) from its memory losses (operands arriving late): on a host whose load changes by the second, each case
/// and the peak take turns, and the best of many short trials is reported.
/// </summary>
internal static unsafe class GemmKernelBench
{
    /// <summary>Bytes of A panels the "A from L2" case cycles through (the "B from L3" case cycles through one B block).</summary>
    private const long L2Span = 256 << 10;

    /// <summary>Floats between rows of C, as in a 1024-wide product.</summary>
    private const int Ldc = 1024;

    public static Command Create()
    {
        var trials = new Option<int>("--trials") { Description = "Turns of every case and the peak; the best of each is reported", DefaultValueFactory = _ => 40 };
        var command = new Command("gemm-kernel", "The GEMM micro-kernel alone on one thread: operands in L1, B streaming from L3, A streaming from L2, beside the FMA peak.");
        command.Options.Add(trials);
        command.SetAction(parsed =>
        {
            int count = parsed.GetValue(trials);
            if (count < 1) throw new ArgumentException($"--trials must be at least 1, got {count}.");
            Run(new BenchReport(parsed.InvocationConfiguration.Output, parsed.GetValue(BenchCommand.Json)), count);
            return 0;
        });
        return command;
    }

    private static void Run(BenchReport report, int trials)
    {
        var blocking = GemmBlocking.For(Simd.Best);
        int mr = blocking.MR, nr = blocking.NR, kc = blocking.KcMax, kcStride = blocking.KcStride;
        long aPanel = (long)mr * kcStride, bPanel = (long)kc * nr + GemmBlocking.BPanelPad;
        int aPanels = (int)Math.Max(1, L2Span / (aPanel * sizeof(float)));
        int bPanels = blocking.NcMax / nr; // one packed B block, KC × NC, as the product streams it
        // C: a row of tiles per A panel.
        long cFloats = (long)aPanels * mr * Ldc;
        float* a = Allocate(aPanels * aPanel), b = Allocate(bPanels * bPanel), c = Allocate(cFloats);
        try
        {
            double flopsPerCall = 2.0 * mr * nr * kc;
            int callsPerTrial = (int)Math.Max(64, 200e6 / flopsPerCall); // about 200 MFLOP: a few ms a trial, long enough that fetching the operands back after the other cases does not count
            // The C tile of call i: tile (i / tilesPerRow) % rows down, i % tilesPerRow across.
            int tilesPerRow = Ldc / nr;
            float* CTile(int row, int i) => c + (long)row * mr * Ldc + (i % tilesPerRow) * nr;
            var cases = new (string Name, Action<int> Call)[]
            {
                ("operands in L1", i => Kernel(blocking, a, b, CTile(0, i))),
                ("B streams from L3, A in L1 (the blocked product's order)", i => Kernel(blocking, a, b + i % bPanels * bPanel, CTile(0, i))),
                ("A streams from L2, B in L1", i => Kernel(blocking, a + i % aPanels * aPanel, b, CTile(i % aPanels, i / aPanels))),
            };
            var best = new double[cases.Length];
            double bestPeak = 0;
            for (int t = 0; t < trials; t++)
            {
                bestPeak = Math.Max(bestPeak, FmaPeak.Measure(threads: 1, trials: 1, iterationsPerThread: 1_000_000));
                for (int k = 0; k < cases.Length; k++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < callsPerTrial; i++) cases[k].Call(i);
                    best[k] = Math.Max(best[k], flopsPerCall * callsPerTrial / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
                }
            }
            report.Add("fma-peak", "threads=1", bestPeak, "GFLOP/s");
            report.Note($"path: {Gemm.Path}; kernel calls of {mr}×{nr}×{kc}, C rows {Ldc} floats apart");
            for (int k = 0; k < cases.Length; k++)
                report.Add("gemm-kernel", cases[k].Name, best[k], "GFLOP/s", new Dictionary<string, object> { ["fraction_of_peak"] = best[k] / bestPeak });
            report.Note($"value: the best of {trials} trials of each case, taken in turns with the peak (best of as many one-trial runs).");
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
            NativeMemory.AlignedFree(c);
        }
    }

    // One full MR × NR tile: C += A panel (row-major, KcStride apart) · B panel, as the blocked product calls it.
    private static void Kernel(GemmBlocking blocking, float* a, float* b, float* c) =>
        GemmDriver.RunKernel(blocking.Width, blocking.MR, blocking.KcMax, a, blocking.KcStride, 1, b, c, Ldc, 1f, 1f, overwrite: false, prefetch: a);

    private static float* Allocate(long floats)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
        // Small values, so that repeated accumulation stays finite and normal.
        for (long i = 0; i < floats; i++) p[i] = 1e-3f * (i % 7);
        return p;
    }
}
