using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Measures the machine's practical single-precision FMA peak: each thread runs 12 independent chains of
/// vector FMAs (enough to cover the FMA latency on two FMA ports), with nothing but registers involved.
/// Kernels report their GFLOP/s as a fraction of this figure, measured in the same process.
/// </summary>
internal static class FmaPeak
{
    /// <summary>
    /// Best GFLOP/s of <paramref name="trials"/> runs on <paramref name="threads"/> threads, each thread doing
    /// <paramref name="iterationsPerThread"/> rounds of 12 FMAs on the widest accelerated vector.
    /// </summary>
    public static double Measure(int threads, int trials = 5, long iterationsPerThread = 16_000_000)
    {
        if (threads < 1) throw new ArgumentException($"FmaPeak: threads must be at least 1, got {threads}.", nameof(threads));
        if (trials < 1) throw new ArgumentException($"FmaPeak: trials must be at least 1, got {trials}.", nameof(trials));
        if (iterationsPerThread < 1) throw new ArgumentException($"FmaPeak: iterations must be at least 1, got {iterationsPerThread}.", nameof(iterationsPerThread));

        // The width the GEMM's micro-kernel runs at; scalar code has no FMA peak worth the name, so it gets Vector128's.
        SimdWidth width = Simd.Best == SimdWidth.Scalar ? SimdWidth.V128 : Simd.Best;
        int lanes = (int)width / 32;
        var body = new PeakLoop(width, iterationsPerThread);
        body.Execute(0); // compile and warm up the loop
        double best = 0;
        for (int t = 0; t < trials; t++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallelism.For(threads, body, long.MaxValue, threads);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double flops = (double)threads * iterationsPerThread * 12 * lanes * 2;
            best = Math.Max(best, flops / seconds / 1e9);
        }
        return best;
    }

    private sealed class PeakLoop(SimdWidth width, long iterations) : IParallelBody
    {
        // Keeps the result observable so the loop is not removed.
        public float Sink;

        public void Execute(int index) => Sink += width switch
        {
            SimdWidth.V512 => Run<Width512, Vector512<float>>(iterations),
            SimdWidth.V256 => Run<Width256, Vector256<float>>(iterations),
            _ => Run<Width128, Vector128<float>>(iterations),
        };

        // 12 independent chains of vector FMAs, nothing but registers: one copy per width.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Run<TW, TV>(long iterations) where TW : struct, IVectorWidth<TV> where TV : struct
        {
            TV m = TW.Splat(0.999999f), d = TW.Splat(1e-7f);
            TV a0 = TW.Splat(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            TV a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = TW.FusedMultiplyAdd(a0, m, d); a1 = TW.FusedMultiplyAdd(a1, m, d);
                a2 = TW.FusedMultiplyAdd(a2, m, d); a3 = TW.FusedMultiplyAdd(a3, m, d);
                a4 = TW.FusedMultiplyAdd(a4, m, d); a5 = TW.FusedMultiplyAdd(a5, m, d);
                a6 = TW.FusedMultiplyAdd(a6, m, d); a7 = TW.FusedMultiplyAdd(a7, m, d);
                a8 = TW.FusedMultiplyAdd(a8, m, d); a9 = TW.FusedMultiplyAdd(a9, m, d);
                a10 = TW.FusedMultiplyAdd(a10, m, d); a11 = TW.FusedMultiplyAdd(a11, m, d);
            }
            TV sum = TW.Add(TW.Add(TW.Add(a0, a1), TW.Add(a2, a3)), TW.Add(TW.Add(a4, a5), TW.Add(a6, a7)));
            return TW.Sum(TW.Add(sum, TW.Add(TW.Add(a8, a9), TW.Add(a10, a11))));
        }
    }
}
