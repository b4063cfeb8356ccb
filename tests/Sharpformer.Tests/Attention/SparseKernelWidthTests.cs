using Sharpformer.Attention;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Attention;

/// <summary>
/// The block-sparse and hashing kernels, and the top-k tile bounds, at every accelerated width against the
/// double-precision oracles: banded and whole tiles, head sizes that are and are not whole vectors, padding.
/// </summary>
public class SparseKernelWidthTests
{
    private static float[] Random(Rng rng, long n)
    {
        var a = new float[n];
        rng.FillNormal(a, 1f);
        return a;
    }

    /// <summary>(width, b, nh, tq, tk, hs, causal, window, global tokens, tile) at every accelerated width.</summary>
    public static TheoryData<SimdWidth, int, int, int, int, int, bool, int, int, int> WindowCases
    {
        get
        {
            var data = new TheoryData<SimdWidth, int, int, int, int, int, bool, int, int, int>();
            foreach (var width in Simd.Accelerated)
            {
                data.Add(width, 1, 1, 300, 300, 64, true, 100, 3, 64);
                data.Add(width, 2, 2, 200, 200, 17, false, 70, 0, 64);
                data.Add(width, 1, 3, 65, 65, 8, false, 30, 1, 24);
                data.Add(width, 1, 2, 130, 257, 20, true, 90, 2, 100);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(WindowCases))]
    public void WindowPatternMatchesOracleAtEveryWidth(SimdWidth width, int b, int nh, int tq, int tk, int hs, bool causal, int window, int g, int tile)
    {
        var rng = new Rng(51);
        var shape = AttentionShape.Create(b, nh, tq, tk, hs, causal);
        var (q, k, v, dO) = (Random(rng, shape.QuerySize), Random(rng, shape.KeySize), Random(rng, shape.KeySize), Random(rng, shape.QuerySize));
        int[] keyLengths = b == 1 ? [] : [tk, tk - 37];
        var pattern = new BlockSparsePattern();
        BlockSparseWindowPattern.Build(pattern, shape, tile, window, g, randomBlocks: 1, seed: 5);
        var actual = Run(width, shape, pattern, keyLengths, q, k, v, dO);

        var (visited, whole) = Tiles(pattern, 0);
        var mask = new AttentionMask(causal, keyLengths.Length == 0 ? null : keyLengths);
        int offset = tk - tq;
        var expected = MaskedAttentionOracle.Run(q, k, v, dO, b * nh, tq, tk, hs, (bh, i, j) =>
        {
            if (!MaskedAttentionOracle.BaseMask(mask, nh, tq, tk, bh, i, j) || !visited.Contains((i / tile, j / tile))) return false;
            int pos = i + offset;
            return whole.Contains((i / tile, j / tile)) || Math.Abs(pos - j) < window || pos < g || j < g;
        });
        AssertMatches(actual, expected, width);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void TopKPatternMatchesOracleAtEveryWidth(SimdWidth width)
    {
        var rng = new Rng(52);
        const int b = 2, nh = 2, t = 150, hs = 24, tile = 32;
        var shape = AttentionShape.Create(b, nh, t, t, hs, causal: true);
        var (q, k, v, dO) = (Random(rng, shape.QuerySize), Random(rng, shape.KeySize), Random(rng, shape.KeySize), Random(rng, shape.QuerySize));
        int[] keyLengths = [t, 111];
        var pattern = new BlockSparsePattern();
        TopKBlockSelection.Build(width, pattern, q, k, keyLengths, shape, tile, topBlocks: 1, localBlocks: 1, TopKEstimate.UpperBound, default);
        var actual = Run(width, shape, pattern, keyLengths, q, k, v, dO);

        var tilesOf = Enumerable.Range(0, b * nh).Select(bh => Tiles(pattern, bh).Visited).ToArray();
        var mask = new AttentionMask(true, keyLengths);
        var expected = MaskedAttentionOracle.Run(q, k, v, dO, b * nh, t, t, hs, (bh, i, j) =>
            MaskedAttentionOracle.BaseMask(mask, nh, t, t, bh, i, j) && tilesOf[bh].Contains((i / tile, j / tile)));
        AssertMatches(actual, expected, width);
    }

    public static TheoryData<SimdWidth> Widths => new(Simd.Accelerated);

    [Theory]
    [MemberData(nameof(Widths))]
    public void UpperBoundMatchesPlainLoopAtEveryWidth(SimdWidth width)
    {
        var rng = new Rng(53);
        foreach (int hs in new[] { 1, 3, 8, 17, 64, 65 })
        {
            const int rows = 5;
            var (queries, lo, hi) = (Random(rng, rows * hs), Random(rng, hs), Random(rng, hs));
            for (int c = 0; c < hs; c++) (lo[c], hi[c]) = (Math.Min(lo[c], hi[c]), Math.Max(lo[c], hi[c]));
            double expected = double.NegativeInfinity;
            for (int r = 0; r < rows; r++)
            {
                double bound = 0;
                for (int c = 0; c < hs; c++) bound += Math.Max((double)queries[r * hs + c] * lo[c], (double)queries[r * hs + c] * hi[c]);
                expected = Math.Max(expected, bound);
            }
            float actual = TopKBlockSelection.UpperBound(width, queries, rows, hs, lo, hi);
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{width} hs={hs}: expected {expected}, got {actual}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LshWithOneChunkMatchesReferenceAtEveryWidth(SimdWidth width)
    {
        // One chunk: every round sees every key, so hashing attention is exact attention.
        var rng = new Rng(54);
        const int b = 2, nh = 2, t = 70, hs = 17;
        var shape = AttentionShape.Create(b, nh, t, t, hs, causal: true);
        var options = new LshOptions(Buckets: 4, ChunkSize: t, Rounds: 2, ExcludeSelf: false);
        var rotations = Random(rng, options.RotationSize(hs));
        var (q, k, v, dO) = (Random(rng, shape.QuerySize), Random(rng, shape.KeySize), Random(rng, shape.KeySize), Random(rng, shape.QuerySize));
        int[] lengths = [t, t - 5];
        var actual = RunLsh(width, shape, options, rotations, lengths, q, k, v, dO);

        var (eo, edq, edk, edv) = (new double[q.Length], new double[q.Length], new double[k.Length], new double[v.Length]);
        var (dq, dk, dv, ddO) = (VariantRunner.ToDouble(q), VariantRunner.ToDouble(k), VariantRunner.ToDouble(v), VariantRunner.ToDouble(dO));
        AttentionReference.Forward(dq, dk, dv, lengths, shape, eo);
        AttentionReference.Backward(dq, dk, dv, ddO, lengths, shape, edq, edk, edv);
        AssertMatches(actual, (eo, edq, edk, edv), width);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LshWithHashedChunksAgreesAcrossWidths(SimdWidth width)
    {
        // Shared keys with self-exclusion, several chunks and rounds; the widest width is checked against the
        // oracle by LshVariantTests, so every other width must agree with it to fp32 rounding.
        var rng = new Rng(55);
        const int b = 1, nh = 3, t = 200, hs = 24;
        var shape = AttentionShape.Create(b, nh, t, t, hs, causal: true);
        var options = new LshOptions(Buckets: 8, ChunkSize: 40, Rounds: 2, ExcludeSelf: true);
        var rotations = Random(rng, options.RotationSize(hs));
        var (q, v, dO) = (Random(rng, shape.QuerySize), Random(rng, shape.KeySize), Random(rng, shape.QuerySize));
        var actual = RunLsh(width, shape, options, rotations, [], q, q, v, dO);
        var best = RunLsh(Simd.Best, shape, options, rotations, [], q, q, v, dO);
        AssertMatches(actual, (VariantRunner.ToDouble(best[0]), VariantRunner.ToDouble(best[2]), VariantRunner.ToDouble(best[3]),
            VariantRunner.ToDouble(best[4])), width);
    }

    private static float[][] Run(SimdWidth width, in AttentionShape shape, BlockSparsePattern pattern, int[] keyLengths,
        float[] q, float[] k, float[] v, float[] dO)
    {
        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        BlockSparseAttention.Forward(q, k, v, keyLengths, shape, pattern, o, lse, width);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        Array.Fill(dQ, float.NaN); Array.Fill(dK, float.NaN); Array.Fill(dV, float.NaN);
        BlockSparseAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, pattern, dQ, dK, dV, width);
        return [o, lse, dQ, dK, dV];
    }

    private static float[][] RunLsh(SimdWidth width, in AttentionShape shape, in LshOptions options, float[] rotations, int[] keyLengths,
        float[] q, float[] k, float[] v, float[] dO)
    {
        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        LshAttention.Forward(q, k, v, keyLengths, shape, options, rotations, o, lse, width);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        Array.Fill(dQ, float.NaN); Array.Fill(dK, float.NaN); Array.Fill(dV, float.NaN);
        LshAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, options, rotations, dQ, dK, dV, width);
        return [o, lse, dQ, dK, dV];
    }

    /// <summary>The (query tile, key tile) pairs of head bh's pattern, and those marked whole.</summary>
    private static (HashSet<(int, int)> Visited, HashSet<(int, int)> Whole) Tiles(BlockSparsePattern pattern, int bh)
    {
        var (visited, whole) = (new HashSet<(int, int)>(), new HashSet<(int, int)>());
        for (int qt = 0; qt < pattern.QueryTiles; qt++)
        {
            var (first, end) = pattern.EntriesOf(bh, qt);
            for (int e = first; e < end; e++)
            {
                visited.Add((qt, pattern.KeyTileOf(e)));
                if (pattern.IsWhole(e)) whole.Add((qt, pattern.KeyTileOf(e)));
            }
        }
        return (visited, whole);
    }

    private static void AssertMatches(float[][] actual, (double[] O, double[] DQ, double[] DK, double[] DV) expected, SimdWidth width)
    {
        VariantRunner.AssertClose(actual[0], expected.O, $"{width} O");
        VariantRunner.AssertClose(actual[2], expected.DQ, $"{width} dQ");
        VariantRunner.AssertClose(actual[3], expected.DK, $"{width} dK");
        VariantRunner.AssertClose(actual[4], expected.DV, $"{width} dV");
    }
}
