using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>Batched products, broadcasting, and independence of the result from the thread count.</summary>
[Collection(GemmCollection.Name)]
public class GemmBatchedTests
{
    [Theory]
    [InlineData(false, false, 5, 17, 3, 65, 1, 1)]
    [InlineData(true, true, 6, 3, 65, 17, 0, 1)]
    [InlineData(false, true, 48, 64, 64, 32, 1, 0)]
    [InlineData(true, false, 3, 65, 257, 17, 1, 1)]
    public void MultiplyBatched_MatchesReferencePerMatrix(bool transA, bool transB, int batch, int m, int n, int k, int strideAOn, int strideBOn)
    {
        var rng = new Rng((ulong)(batch * 7 + m));
        int lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 2, ldc = n + 3;
        long aSize = (long)(transA ? k : m) * lda, bSize = (long)(transB ? n : k) * ldb, cSize = (long)m * ldc;
        long strideA = strideAOn * (aSize + 5), strideB = strideBOn * (bSize + 1), strideC = cSize + 4;
        float[] a = GemmCheck.Random(rng, (int)((batch - 1) * strideA + aSize));
        float[] b = GemmCheck.Random(rng, (int)((batch - 1) * strideB + bSize));
        float[] c = GemmCheck.Random(rng, (int)((batch - 1) * strideC + cSize));
        float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();

        Gemm.MultiplyBatched(batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, actual, ldc, strideC, alpha: 0.5f, beta: 1f);
        for (int i = 0; i < batch; i++)
            GemmReference.Multiply(transA, transB, m, n, k, a.AsSpan((int)(i * strideA)), lda, b.AsSpan((int)(i * strideB)), ldb,
                expected.AsSpan((int)(i * strideC)), ldc, alpha: 0.5f, beta: 1f);

        float tolerance = GemmCheck.Tolerance(k) + 1e-6f;
        for (int i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void MultiplyBatched_WithCStrideZero_AccumulatesEveryProduct()
    {
        // Stride 0 on C with beta 1 sums the products: the shape of a weight gradient over a batch.
        var rng = new Rng(9);
        const int batch = 4, m = 5, n = 6, k = 7;
        float[] a = GemmCheck.Random(rng, batch * m * k), b = GemmCheck.Random(rng, k * n);
        float[] sum = new float[m * n], expected = new float[m * n];
        Gemm.MultiplyBatched(batch, false, false, m, n, k, a, k, m * k, b, n, 0, sum, n, 0, beta: 1f);
        for (int i = 0; i < batch; i++)
            GemmReference.Multiply(false, false, m, n, k, a.AsSpan(i * m * k), k, b, n, expected, n, beta: 1f);
        for (int i = 0; i < sum.Length; i++) Assert.Equal(expected[i], sum[i], 1e-4f);
    }

    [Fact]
    public void MultiplyBatched_RejectsOperandsShorterThanTheBatch()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyBatched(3, false, false, 2, 2, 2, new float[11], 2, 4, new float[4], 2, 0, new float[12], 2, 4));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("3 matrices", ex.Message);
    }

    [Theory]
    [InlineData(false, false, 300, 700, 600)]
    [InlineData(true, true, 257, 65, 513)]
    [InlineData(false, false, 1, 1000, 300)]
    [InlineData(false, true, 1, 1000, 300)]
    // Wide enough for each thread to take its own column slab; the second slab ends in a partial panel.
    [InlineData(false, false, 45, 1000, 300)]
    [InlineData(true, true, 45, 1000, 300)]
    // One small block, in slabs: odd sizes, a partial last panel, A transposed and not.
    [InlineData(false, false, 251, 259, 253)]
    [InlineData(true, false, 131, 509, 767)]
    [InlineData(false, true, 97, 300, 129)]
    public void Multiply_GivesTheSameBitsOnOneAndTwoThreads(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Rng(10);
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] one = new float[m * n], two = new float[m * n];
        using (GemmCheck.Threads(1)) Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, one, n);
        using (GemmCheck.Threads(2)) Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, two, n);
        Assert.Equal(one, two);
    }

    [Fact]
    public void ColumnSlabs_WithThreadsTakingEachOthersRowItems_GiveTheSameBitsEveryTime()
    {
        // Slabs of 1024 columns, two K blocks: whichever thread finishes first takes row items of the other
        // slab, a different share on every call; the result must not change by a bit.
        var rng = new Rng(12);
        const int m = 200, n = 2048, k = 1300;
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        float[] expected = new float[m * n];
        using (GemmCheck.Threads(1)) Gemm.Multiply(false, false, m, n, k, a, k, b, n, expected, n);
        using var _ = GemmCheck.Threads(2);
        Assert.True(GemmColumnSlabs.Pays(GemmBlocking.For(Simd.Best), m, n, k, threads: 2));
        for (int round = 0; round < 20; round++)
        {
            float[] c = new float[m * n];
            Gemm.Multiply(false, false, m, n, k, a, k, b, n, c, n);
            Assert.Equal(expected, c);
        }
    }

    [Theory]
    [InlineData(2048, 2048, 2048, 2, true)]   // one 1024-column block per thread: A is packed as often either way
    [InlineData(1024, 1024, 1024, 2, false)]  // one block in all: slabs of 512 would pack A (4 MiB) twice, shared tiles once
    [InlineData(4096, 1536, 384, 2, false)]   // slabs of 768 would pack A twice instead of once
    [InlineData(4096, 384, 1536, 2, false)]   // narrower than a block: share row tiles
    [InlineData(20, 4096, 64, 2, false)]      // too few rows to matter
    [InlineData(1024, 1024, 1024, 1, false)]
    [InlineData(256, 256, 256, 2, true)]      // one small block: slabs meet once, and reading A (256 KiB) twice is cheap
    [InlineData(128, 512, 768, 2, true)]      // a weight gradient with few rows, likewise
    [InlineData(768, 384, 128, 2, false)]     // taller than wide: each slab would read more A than it saves
    [InlineData(256, 256, 256, 1, false)]
    public void ColumnSlabs_AreUsedOnlyWhenTheyPackNoMore(int m, int n, int k, int threads, bool expected) =>
        Assert.Equal(expected, GemmColumnSlabs.Pays(GemmBlocking.Compute(SimdWidth.V512, GemmCheck.Zen5), m, n, k, threads));

    [Fact]
    public void MultiplyBatched_GivesTheSameBitsOnOneAndTwoThreads()
    {
        var rng = new Rng(11);
        const int batch = 12, m = 64, n = 33, k = 64;
        float[] a = GemmCheck.Random(rng, batch * m * k), b = GemmCheck.Random(rng, batch * k * n);
        float[] one = new float[batch * m * n], two = new float[batch * m * n];
        using (GemmCheck.Threads(1)) Gemm.MultiplyBatched(batch, false, true, m, n, k, a, k, m * k, b, k, k * n, one, n, m * n);
        using (GemmCheck.Threads(2)) Gemm.MultiplyBatched(batch, false, true, m, n, k, a, k, m * k, b, k, k * n, two, n, m * n);
        Assert.Equal(one, two);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Multiply_AllocatesNothingOnceWarm(int threads)
    {
        using var _ = GemmCheck.Threads(threads);
        var rng = new Rng(12);
        float[] a = GemmCheck.Random(rng, 200 * 300), b = GemmCheck.Random(rng, 300 * 100), c = new float[200 * 100];
        float[] qa = GemmCheck.Random(rng, 8 * 64 * 32), qb = GemmCheck.Random(rng, 8 * 32 * 64), qc = new float[8 * 64 * 64];
        void Both()
        {
            Gemm.Multiply(false, true, 200, 100, 300, a, 300, b, 300, c, 100);
            Gemm.MultiplyBatched(8, false, false, 64, 64, 32, qa, 32, 64 * 32, qb, 64, 32 * 64, qc, 64, 64 * 64);
        }
        Both();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Both();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
