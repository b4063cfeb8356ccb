using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>Tests that change the GEMM's global settings (thread count) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class GemmCollection
{
    public const string Name = "Gemm";
}

/// <summary>Runs the packed GEMM and the double-precision reference on the same random operands and compares.</summary>
internal static class GemmCheck
{
    public static float[] Random(Rng rng, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)rng.NextDouble() - 0.5f;
        return values;
    }

    /// <summary>A loose bound for a k-term fp32 dot product of values in [-0.5, 0.5] against an exact one.</summary>
    public static float Tolerance(int k) => 4f * k * k * 0.25f * MathF.Pow(2, -24) + 1e-6f;

    /// <summary>
    /// op(A) (m, k), op(B) (k, n), C (m, n); every leading dimension exceeds its width by <paramref name="extraLd"/>.
    /// C starts random, or all <paramref name="cGarbage"/> when given. Checks every element of C against the
    /// reference within a rounding bound, and that the padding columns of C are untouched.
    /// </summary>
    public static void AgainstReference(bool transA, bool transB, int m, int n, int k, int extraLd, float alpha, float beta,
        ulong seed, float? cGarbage = null, SimdWidth? width = null)
    {
        var rng = new Rng(seed);
        int lda = (transA ? m : k) + extraLd, ldb = (transB ? k : n) + extraLd, ldc = n + extraLd;
        float[] a = Random(rng, (transA ? k : m) * lda), b = Random(rng, (transB ? n : k) * ldb);
        float[] c = cGarbage is float g ? Enumerable.Repeat(g, m * ldc).ToArray() : Random(rng, m * ldc);

        float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();
        GemmReference.Multiply(transA, transB, m, n, k, a, lda, b, ldb, expected, ldc, alpha, beta);
        Gemm.Multiply(width ?? Simd.Best, transA, transB, m, n, k, a, lda, b, ldb, actual, ldc, alpha, beta);

        // Rounding bound per element from the magnitudes that enter its sum.
        float[] magnitude = new float[m * ldc];
        GemmReference.Multiply(transA, transB, m, n, k, Abs(a), lda, Abs(b), ldb, magnitude, ldc);
        for (int i = 0; i < m; i++)
        for (int j = 0; j < ldc; j++)
        {
            int at = i * ldc + j;
            if (j >= n)
            {
                Assert.True(BitConverter.SingleToInt32Bits(c[at]) == BitConverter.SingleToInt32Bits(actual[at]),
                    $"C[{i},{j}] lies outside the {m}×{n} product but changed from {c[at]} to {actual[at]}.");
                continue;
            }
            float bound = (Math.Abs(alpha) * magnitude[at] * (k + 2) + (beta == 0 ? 0 : Math.Abs(beta * c[at]))) * 4 * MathF.Pow(2, -24) + 1e-30f;
            float error = Math.Abs(expected[at] - actual[at]);
            Assert.True(error <= bound,
                $"transA={transA} transB={transB} m={m} n={n} k={k} alpha={alpha} beta={beta}: C[{i},{j}] = {actual[at]}, expected {expected[at]} (error {error}, bound {bound}).");
        }
    }

    /// <summary>Every vector width this machine runs in hardware, and scalar: each is a GEMM path of its own.</summary>
    public static TheoryData<SimdWidth> Widths() => [.. Simd.Accelerated];

    /// <summary>The caches of the 2-core Zen 5 the Vector512 blocks were measured on (48 KiB 12-way L1d, 1 MiB L2, 32 MiB L3).</summary>
    public static readonly CacheInfo Zen5 = new(48 << 10, 12, 1 << 20, 32 << 20, "test");

    public static float[] Abs(float[] values) => values.Select(Math.Abs).ToArray();

    /// <summary>Sets the kernel thread count of the calling flow until disposed.</summary>
    public static IDisposable Threads(int threads) => Parallelism.UseThreads(threads);

    private sealed class Restore : IDisposable
    {
        private readonly Action _undo;

        public Restore(Action undo, Action apply)
        {
            _undo = undo;
            apply();
        }

        public void Dispose() => _undo();
    }
}
