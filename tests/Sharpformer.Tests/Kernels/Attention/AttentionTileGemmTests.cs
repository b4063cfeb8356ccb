using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>
/// The register-blocked tile products at every accelerated width against a plain triple loop: row counts around
/// each register tile's height (4 at AVX-512, 6 elsewhere), column counts that do and do not fill a 64-wide
/// AVX-512 block, both A layouts, and the accumulating and rescaling forms.
/// </summary>
public unsafe class AttentionTileGemmTests
{
    private static readonly int[] RowCounts = [1, 2, 3, 4, 5, 6, 7, 11, 13, 64, 65];
    private static readonly int[] Depths = [1, 17, 64];
    private static readonly int[] ColumnCounts = [16, 32, 48, 64, 80, 144];

    public static TheoryData<SimdWidth, bool, bool> Cases
    {
        get
        {
            var data = new TheoryData<SimdWidth, bool, bool>();
            foreach (var width in Simd.Accelerated)
                foreach (bool transposedA in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        data.Add(width, transposedA, accumulate);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPlainLoops(SimdWidth width, bool transposedA, bool accumulate)
    {
        var rng = new Rng(21);
        foreach (int rows in RowCounts)
            foreach (int depth in Depths)
                foreach (int cols in ColumnCounts)
                {
                    // A stored (rows, depth) with a row stride past depth, or as Aᵀ (depth, rows); B and C with strides past cols.
                    int lda = transposedA ? rows + 3 : depth + 5, ldb = cols + 16, ldc = cols + 16;
                    var a = new float[(transposedA ? depth : rows) * lda];
                    var b = new float[depth * ldb];
                    var c = new float[rows * ldc];
                    var scale = new float[rows];
                    rng.FillNormal(a, 1f);
                    rng.FillNormal(b, 1f);
                    rng.FillNormal(c, 1f);
                    rng.FillNormal(scale, 1f);
                    var expected = Expected(a, b, c, scale, rows, depth, cols, lda, ldb, ldc, transposedA, accumulate);
                    fixed (float* pa = a, pb = b, pc = c, ps = scale)
                        AttentionTileGemm.Multiply(width, rows, depth, cols, pa, transposedA ? 1 : lda, transposedA ? lda : 1, pb, ldb, pc, ldc,
                            accumulate, accumulate ? ps : null);
                    for (int i = 0; i < c.Length; i++)
                        Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])) * Math.Sqrt(depth),
                            $"{width} rows={rows} depth={depth} cols={cols} C[{i / ldc},{i % ldc}]: expected {expected[i]}, got {c[i]}");
                }
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.Widths), MemberType = typeof(AttentionTestCases))]
    public void AccumulatesWithoutRescaleWhenNoScaleIsGiven(SimdWidth width)
    {
        var rng = new Rng(22);
        const int rows = 9, depth = 5, cols = 32;
        var (a, b, c) = (new float[rows * depth], new float[depth * cols], new float[rows * cols]);
        rng.FillNormal(a, 1f);
        rng.FillNormal(b, 1f);
        rng.FillNormal(c, 1f);
        var ones = Enumerable.Repeat(1f, rows).ToArray();
        var expected = Expected(a, b, c, ones, rows, depth, cols, depth, cols, cols, transposedA: false, accumulate: true);
        fixed (float* pa = a, pb = b, pc = c)
            AttentionTileGemm.Multiply(width, rows, depth, cols, pa, depth, 1, pb, cols, pc, cols, accumulate: true);
        for (int i = 0; i < c.Length; i++) Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"{width} C[{i}]");
    }

    /// <summary>Every accelerated width with each band (by name: the band kinds are internal).</summary>
    public static TheoryData<SimdWidth, string> BandCases
    {
        get
        {
            var data = new TheoryData<SimdWidth, string>();
            foreach (var width in Simd.Accelerated)
                foreach (var skip in new[] { CausalSkip.KeyColumns, CausalSkip.KeyDepth, CausalSkip.QueryDepth })
                    data.Add(width, skip.ToString());
            return data;
        }
    }

    /// <summary>
    /// A causal band: with A zero wherever the mask hides a key (P and dS are), the product must still be exact
    /// everywhere the caller reads it: every entry for the depth bands, the visible scores for the column band.
    /// Diagonals before, inside and past the product's keys; row counts around each register tile's height.
    /// </summary>
    [Theory]
    [MemberData(nameof(BandCases))]
    public void CausalBandsSkipOnlyWhatTheMaskHides(SimdWidth width, string band)
    {
        var skip = Enum.Parse<CausalSkip>(band);
        var rng = new Rng(23);
        foreach (int rows in new[] { 1, 5, 7, 13, 64, 65 })
            foreach (int size in new[] { 16, 48, 64, 80 }) // keys: the columns of KeyColumns, else the depth
                foreach (int diagonal in new[] { -20, -1, 0, 3, 17, 40, 100 })
                {
                    bool keyRows = skip == CausalSkip.QueryDepth; // C's rows are keys, the depth runs over queries
                    int depth = skip == CausalSkip.KeyColumns ? 17 : keyRows ? 37 : size, cols = skip == CausalSkip.KeyColumns ? size : 32;
                    int lda = depth + 3, ldb = cols + 16, ldc = cols + 16;
                    var a = new float[rows * lda];
                    var b = new float[depth * ldb];
                    var c = new float[rows * ldc];
                    rng.FillNormal(a, 1f);
                    rng.FillNormal(b, 1f);
                    rng.FillNormal(c, 1f);
                    // Query i sees keys j <= diagonal + i: zero A where a depth index is a hidden key (or query).
                    for (int r = 0; r < rows; r++)
                        for (int p = 0; p < depth; p++)
                            if (skip == CausalSkip.KeyDepth ? p > diagonal + r : keyRows && r > diagonal + p) a[r * lda + p] = 0f;
                    var expected = Expected(a, b, c, new float[rows], rows, depth, cols, lda, ldb, ldc, transposedA: false, accumulate: false);
                    fixed (float* pa = a, pb = b, pc = c)
                        AttentionTileGemm.Multiply(width, rows, depth, cols, pa, lda, 1, pb, ldb, pc, ldc, accumulate: false,
                            band: new CausalBand(skip, diagonal));
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < cols; j++)
                        {
                            if (skip == CausalSkip.KeyColumns && j > diagonal + r) continue; // a hidden score: never read
                            double e = expected[r * ldc + j], got = c[r * ldc + j];
                            Assert.True(Math.Abs(got - e) <= 1e-5 * (1 + Math.Abs(e)) * Math.Sqrt(depth),
                                $"{width} {skip} rows={rows} size={size} diagonal={diagonal} C[{r},{j}]: expected {e}, got {got}");
                        }
                }
    }

    /// <summary>C as the kernel should leave it, columns past cols (the stride padding) untouched.</summary>
    private static double[] Expected(float[] a, float[] b, float[] c, float[] scale, int rows, int depth, int cols, int lda, int ldb, int ldc,
        bool transposedA, bool accumulate)
    {
        var expected = Array.ConvertAll(c, x => (double)x);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                double sum = accumulate ? scale[r] * (double)c[r * ldc + j] : 0;
                for (int p = 0; p < depth; p++) sum += (double)(transposedA ? a[p * lda + r] : a[r * lda + p]) * b[p * ldb + j];
                expected[r * ldc + j] = sum;
            }
        return expected;
    }
}
