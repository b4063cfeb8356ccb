using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>The packed GEMM against the double-precision reference, on odd sizes and every operand layout.</summary>
[Collection(GemmCollection.Name)]
public class GemmTests
{
    public static TheoryData<int, int, int> OddSizes()
    {
        var data = new TheoryData<int, int, int>();
        int[] sizes = [1, 3, 17, 65, 257];
        foreach (int m in sizes)
        foreach (int n in sizes)
        foreach (int k in sizes)
            if ((long)m * n * k <= 65 * 65 * 257 || (m == 257 && n == 257 && k == 17))
                data.Add(m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Multiply_MatchesReference_ForEveryTransposeCombination(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
            GemmCheck.AgainstReference(transA, transB, m, n, k, extraLd: 0, alpha: 1f, beta: 0f, seed: (ulong)(m * 1000 + n * 10 + k));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Multiply_SpansSeveralBlocksInEveryDimension(bool transA, bool transB)
    {
        // K = 1100 gives two K blocks of 550 (three of 367 for a transposed A), N = 1100 two N blocks
        // (1024 and 76 columns), M = 45 a partial row tile.
        GemmCheck.AgainstReference(transA, transB, 45, 1100, 1100, extraLd: 3, alpha: 1f, beta: 0f, seed: 7);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Multiply_OnOneThread_MatchesReference(bool transA, bool transB)
    {
        // One thread packs every B block before its row tiles, with no second thread to share the panels:
        // full and partial last panels, several K and N blocks, exactly one row tile (14 rows), alpha/beta.
        using var _ = GemmCheck.Threads(1);
        GemmCheck.AgainstReference(transA, transB, 45, 1100, 1100, extraLd: 3, alpha: 1f, beta: 0f, seed: 41);
        GemmCheck.AgainstReference(transA, transB, 14, 96, 257, extraLd: 0, alpha: -0.5f, beta: 1f, seed: 42);
        GemmCheck.AgainstReference(transA, transB, 13, 65, 17, extraLd: 1, alpha: 1f, beta: 0f, seed: 43);
        GemmCheck.AgainstReference(transA, transB, 257, 65, 65, extraLd: 0, alpha: 2f, beta: 0.25f, seed: 44);
        GemmCheck.AgainstReference(transA, transB, 30, 64, 300, extraLd: 2, alpha: 1f, beta: 0f, seed: 45, cGarbage: float.NaN);
    }

    [Theory]
    [InlineData(false, false, 0.5f, 0f)]
    [InlineData(true, true, -2f, 1f)]
    [InlineData(false, true, 1f, 1f)]
    [InlineData(true, false, 1.5f, -0.75f)]
    public void Multiply_AppliesAlphaAndBeta(bool transA, bool transB, float alpha, float beta)
    {
        GemmCheck.AgainstReference(transA, transB, 65, 33, 300, extraLd: 0, alpha, beta, seed: 11);
        GemmCheck.AgainstReference(transA, transB, 17, 257, 3, extraLd: 5, alpha, beta, seed: 12);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Multiply_SingleRow_MatchesReference(bool transA, bool transB)
    {
        // One row of C (a token in generation) reads B in place; 300 columns = two chunks and a tail.
        GemmCheck.AgainstReference(transA, transB, 1, 300, 257, extraLd: 0, alpha: 1f, beta: 0f, seed: 31, cGarbage: float.NaN);
        GemmCheck.AgainstReference(transA, transB, 1, 300, 65, extraLd: 3, alpha: -0.5f, beta: 1f, seed: 32);
        GemmCheck.AgainstReference(transA, transB, 1, 128, 17, extraLd: 1, alpha: 2f, beta: 0.25f, seed: 33);
    }

    [Fact]
    public void Multiply_WithBetaZero_IgnoresNaNInC()
    {
        GemmCheck.AgainstReference(false, false, 30, 40, 20, extraLd: 2, alpha: 1f, beta: 0f, seed: 3, cGarbage: float.NaN);
        GemmCheck.AgainstReference(true, true, 30, 40, 300, extraLd: 0, alpha: 2f, beta: 0f, seed: 4, cGarbage: float.NaN);
    }

    [Fact]
    public void Multiply_WithBetaOne_AccumulatesRepeatedProducts()
    {
        var rng = new Rng(5);
        const int m = 19, n = 37, k = 70;
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        float[] once = new float[m * n], thrice = new float[m * n];
        Gemm.Multiply(false, false, m, n, k, a, k, b, n, once, n);
        for (int i = 0; i < 3; i++) Gemm.Multiply(false, false, m, n, k, a, k, b, n, thrice, n, beta: 1f);
        for (int i = 0; i < once.Length; i++)
            Assert.Equal(3 * once[i], thrice[i], GemmCheck.Tolerance(k) * 3);
    }

    [Fact]
    public void Multiply_LeavesCOutsideTheMatrixUntouched()
    {
        // ldc wider than n: the padding columns must keep their values.
        var rng = new Rng(6);
        const int m = 17, n = 33, k = 9, ldc = 40;
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        float[] c = Enumerable.Repeat(42f, m * ldc).ToArray();
        Gemm.Multiply(false, false, m, n, k, a, k, b, n, c, ldc);
        for (int i = 0; i < m; i++)
        for (int j = n; j < ldc; j++)
            Assert.Equal(42f, c[i * ldc + j]);
    }

    [Fact]
    public void Multiply_WithZeroDepth_ScalesC()
    {
        float[] c = [1f, 2f, float.NaN];
        Gemm.Multiply(false, false, 1, 2, 0, [], 1, [], 2, c, 2, beta: 0.5f);
        Assert.Equal([0.5f, 1f, float.NaN], c);
        Gemm.Multiply(false, false, 1, 3, 0, [], 1, [], 3, c, 3, beta: 0f);
        Assert.Equal([0f, 0f, 0f], c);
    }

    [Fact]
    public void Multiply_RejectsTooShortOperands_NamingThem()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 5, 6, new float[23], 6, new float[30], 5, new float[20], 5));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("4×6", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 4, 5, 6, new float[24], 6, new float[30], 5, new float[20], 5));
        Assert.Equal("ldb", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 5, 6, new float[24], 6, new float[30], 5, new float[19], 5));
        Assert.Equal("c", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, -1, 5, 6, new float[24], 6, new float[30], 5, new float[20], 5));
        Assert.Equal("m", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(GemmCheck.Widths), MemberType = typeof(GemmCheck))]
    public void Multiply_OnEveryKernelPath_MatchesReference(SimdWidth width)
    {
        // Odd sizes leave partial row tiles and partial panels on every path (14×32, 6×16 and 4×4 tiles);
        // K = 1100 spans two K blocks (three with A transposed), N = 1100 two N blocks.
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        {
            GemmCheck.AgainstReference(transA, transB, 65, 17, 257, extraLd: 1, alpha: 1f, beta: 0f, seed: 21, width: width);
            GemmCheck.AgainstReference(transA, transB, 3, 65, 300, extraLd: 0, alpha: 0.5f, beta: 1f, seed: 22, width: width);
            GemmCheck.AgainstReference(transA, transB, 1, 257, 65, extraLd: 2, alpha: 1f, beta: 0.25f, seed: 23, width: width);
            GemmCheck.AgainstReference(transA, transB, 17, 3, 1, extraLd: 0, alpha: -1f, beta: 0f, seed: 24, cGarbage: float.NaN, width: width);
            GemmCheck.AgainstReference(transA, transB, 45, 1100, 1100, extraLd: 3, alpha: 1f, beta: 0f, seed: 25, width: width);
        }
    }

    [Theory]
    [MemberData(nameof(GemmCheck.Widths), MemberType = typeof(GemmCheck))]
    public void Multiply_OnEveryKernelPath_GivesTheSameBitsOnOneAndTwoThreads(SimdWidth width)
    {
        var rng = new Rng(31);
        const int m = 131, n = 333, k = 257;
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        float[] one = new float[m * n], two = new float[m * n];
        using (GemmCheck.Threads(1)) Gemm.Multiply(width, false, true, m, n, k, a, k, b, k, one, n);
        using (GemmCheck.Threads(2)) Gemm.Multiply(width, false, true, m, n, k, a, k, b, k, two, n);
        Assert.Equal(one, two);
    }

    [Theory]
    [InlineData(0)]     // lda 33: the kernel reads A where it lies
    [InlineData(991)]   // lda 1024: rows 4 KiB apart share one L1 set, so A is packed first
    public void Multiply_WithAReadInPlaceOrPacked_MatchesReference(int extraLd)
    {
        // 45 rows end in a 3-row tile, 70 columns in a 6-column one.
        GemmCheck.AgainstReference(false, false, 45, 70, 33, extraLd, alpha: 1f, beta: 0f, seed: 23);
        GemmCheck.AgainstReference(false, true, 45, 70, 33, extraLd, alpha: 0.5f, beta: 1f, seed: 24);
    }

    [Theory]
    [MemberData(nameof(GemmCheck.Widths), MemberType = typeof(GemmCheck))]
    public void AReadInPlace_GivesThePackedAnswerBitForBit(SimdWidth width)
    {
        // The same A stored with a row stride that is packed (1024: rows 4 KiB apart share one L1 set) and one
        // read in place (1040). A tile of few rows fits the ways of one set, and is read in place at both.
        var blocking = GemmBlocking.For(width);
        Assert.True(blocking.RowsSpreadOverL1Sets(1040));
        Assert.Equal(blocking.MR > CacheInfo.Machine.L1Ways * 7 / 12, !blocking.RowsSpreadOverL1Sets(1024));
        var rng = new Rng(9);
        const int m = 59, n = 45, k = 600;
        float[] dense = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        float[] packed = new float[m * n], inPlace = new float[m * n];
        Gemm.Multiply(width, false, false, m, n, k, WithStride(dense, 1024), 1024, b, n, packed, n);
        Gemm.Multiply(width, false, false, m, n, k, WithStride(dense, 1040), 1040, b, n, inPlace, n);
        Assert.Equal(packed, inPlace);

        static float[] WithStride(float[] rows, int ld)
        {
            var strided = new float[m * ld];
            for (int i = 0; i < m; i++) Array.Copy(rows, i * k, strided, i * ld, k);
            return strided;
        }
    }

    [Theory]
    [InlineData(1024, false)]
    [InlineData(2048, false)]
    [InlineData(4096, false)]
    [InlineData(384, true)]
    [InlineData(512, true)]
    [InlineData(1536, true)]
    [InlineData(1040, true)]
    [InlineData(33, true)]
    public void RowsSpreadOverL1Sets_RejectsOnlyStridesThatPileRowsIntoFewSets(int lda, bool spread) =>
        Assert.Equal(spread, GemmBlocking.Compute(SimdWidth.V512, GemmCheck.Zen5).RowsSpreadOverL1Sets(lda));
}
