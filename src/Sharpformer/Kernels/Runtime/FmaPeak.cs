using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Measures the machine's practical single-precision FMA peak: each thread runs 12 independent chains of
/// vector FMAs (enough to cover the FMA latency on two FMA ports), with nothing but registers involved.
/// Kernels report their GFLOP/s as a fraction of this figure, measured in the same process.
/// </summary>
public static class FmaPeak
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
            SimdWidth.V512 => Run512(iterations),
            SimdWidth.V256 => Run256(iterations),
            _ => Run128(iterations),
        };

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Run512(long iterations)
        {
            var m = Vector512.Create(0.999999f);
            var d = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, d); a1 = Vector512.FusedMultiplyAdd(a1, m, d);
                a2 = Vector512.FusedMultiplyAdd(a2, m, d); a3 = Vector512.FusedMultiplyAdd(a3, m, d);
                a4 = Vector512.FusedMultiplyAdd(a4, m, d); a5 = Vector512.FusedMultiplyAdd(a5, m, d);
                a6 = Vector512.FusedMultiplyAdd(a6, m, d); a7 = Vector512.FusedMultiplyAdd(a7, m, d);
                a8 = Vector512.FusedMultiplyAdd(a8, m, d); a9 = Vector512.FusedMultiplyAdd(a9, m, d);
                a10 = Vector512.FusedMultiplyAdd(a10, m, d); a11 = Vector512.FusedMultiplyAdd(a11, m, d);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Run256(long iterations)
        {
            var m = Vector256.Create(0.999999f);
            var d = Vector256.Create(1e-7f);
            Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, m, d); a1 = Vector256.FusedMultiplyAdd(a1, m, d);
                a2 = Vector256.FusedMultiplyAdd(a2, m, d); a3 = Vector256.FusedMultiplyAdd(a3, m, d);
                a4 = Vector256.FusedMultiplyAdd(a4, m, d); a5 = Vector256.FusedMultiplyAdd(a5, m, d);
                a6 = Vector256.FusedMultiplyAdd(a6, m, d); a7 = Vector256.FusedMultiplyAdd(a7, m, d);
                a8 = Vector256.FusedMultiplyAdd(a8, m, d); a9 = Vector256.FusedMultiplyAdd(a9, m, d);
                a10 = Vector256.FusedMultiplyAdd(a10, m, d); a11 = Vector256.FusedMultiplyAdd(a11, m, d);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Run128(long iterations)
        {
            var m = Vector128.Create(0.999999f);
            var d = Vector128.Create(1e-7f);
            Vector128<float> a0 = Vector128.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            Vector128<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector128.FusedMultiplyAdd(a0, m, d); a1 = Vector128.FusedMultiplyAdd(a1, m, d);
                a2 = Vector128.FusedMultiplyAdd(a2, m, d); a3 = Vector128.FusedMultiplyAdd(a3, m, d);
                a4 = Vector128.FusedMultiplyAdd(a4, m, d); a5 = Vector128.FusedMultiplyAdd(a5, m, d);
                a6 = Vector128.FusedMultiplyAdd(a6, m, d); a7 = Vector128.FusedMultiplyAdd(a7, m, d);
                a8 = Vector128.FusedMultiplyAdd(a8, m, d); a9 = Vector128.FusedMultiplyAdd(a9, m, d);
                a10 = Vector128.FusedMultiplyAdd(a10, m, d); a11 = Vector128.FusedMultiplyAdd(a11, m, d);
            }
            return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
    }
}
