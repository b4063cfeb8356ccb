using Sharpformer.Attention;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Attention;

/// <summary>
/// The block-sparse kernel called directly, mostly at the tile size the variants use (64) and at two others (24,
/// 100), on shapes the variant tests do not reach: head sizes that are and are not whole vectors, one head (the backward splits its key tiles
/// into groups) and eight (one group), padding and a banded pattern with global tokens.
/// </summary>
public class BlockSparseKernelTests
{
    private static float[] Random(Rng rng, long n)
    {
        var a = new float[n];
        rng.FillNormal(a, 1f);
        return a;
    }

    private static BlockSparsePattern WindowPattern(in AttentionShape shape, int window, int globalTokens, int randomBlocks, int tile = 64)
    {
        var pattern = new BlockSparsePattern();
        BlockSparseWindowPattern.Build(pattern, shape, tile, window, globalTokens, randomBlocks, seed: 3);
        return pattern;
    }

    private static float[][] Run(in AttentionShape shape, BlockSparsePattern pattern, int[] keyLengths, float[] q, float[] k, float[] v, float[] dO)
    {
        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        BlockSparseAttention.Forward(q, k, v, keyLengths, shape, pattern, o, lse);
        // Gradients start from garbage: the backward overwrites them.
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        Array.Fill(dQ, float.NaN); Array.Fill(dK, float.NaN); Array.Fill(dV, float.NaN);
        BlockSparseAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, pattern, dQ, dK, dV);
        return [o, lse, dQ, dK, dV];
    }

    [Theory]
    [InlineData(1, 1, 300, 300, 64, true, 100, 3, 1, 64)]
    [InlineData(1, 1, 300, 300, 17, false, 70, 0, 1, 64)]
    [InlineData(2, 4, 200, 200, 64, true, 64, 1, 0, 64)]
    [InlineData(1, 8, 130, 257, 32, true, 90, 2, 1, 64)]
    [InlineData(1, 2, 257, 130, 16, false, 50, 0, 0, 64)]
    [InlineData(2, 2, 300, 300, 20, true, 150, 1, 1, 100)]
    [InlineData(1, 3, 65, 65, 8, false, 30, 0, 1, 24)]
    public void WindowPattern_MatchesMaskedOracle(int b, int nh, int tq, int tk, int hs, bool causal, int window, int g, int randomBlocks, int tile)
    {
        var rng = new Rng(41);
        var shape = AttentionShape.Create(b, nh, tq, tk, hs, causal);
        var (q, k, v, dO) = (Random(rng, shape.QuerySize), Random(rng, shape.KeySize), Random(rng, shape.KeySize), Random(rng, shape.QuerySize));
        int[] keyLengths = b == 1 ? [] : [tk, tk - 37];
        var pattern = WindowPattern(shape, window, g, randomBlocks, tile);
        var actual = Run(shape, pattern, keyLengths, q, k, v, dO);

        int offset = tk - tq;
        var mask = new AttentionMask(causal, keyLengths.Length == 0 ? null : keyLengths);
        var visited = new HashSet<(int, int)>();
        var whole = new HashSet<(int, int)>();
        for (int qt = 0; qt < pattern.QueryTiles; qt++)
        {
            var (first, end) = pattern.EntriesOf(0, qt);
            for (int e = first; e < end; e++)
            {
                visited.Add((qt, pattern.KeyTileOf(e)));
                if (pattern.IsWhole(e)) whole.Add((qt, pattern.KeyTileOf(e)));
            }
        }
        var expected = MaskedAttentionOracle.Run(q, k, v, dO, b * nh, tq, tk, hs, (bh, i, j) =>
        {
            if (!MaskedAttentionOracle.BaseMask(mask, nh, tq, tk, bh, i, j) || !visited.Contains((i / tile, j / tile))) return false;
            int pos = i + offset;
            return whole.Contains((i / tile, j / tile)) || Math.Abs(pos - j) < window || pos < g || j < g;
        });
        VariantRunner.AssertClose(actual[0], expected.O, "O");
        VariantRunner.AssertClose(actual[2], expected.DQ, "dQ");
        VariantRunner.AssertClose(actual[3], expected.DK, "dK");
        VariantRunner.AssertClose(actual[4], expected.DV, "dV");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void ThreadCountDoesNotChangeBits(int heads)
    {
        // 1 and 3 heads: the backward deals key tiles into groups and sums partial dQs; 8 heads: one group each.
        var rng = new Rng(43);
        var shape = AttentionShape.Create(1, heads, 600, 600, 64, causal: true);
        var (q, k, v, dO) = (Random(rng, shape.QuerySize), Random(rng, shape.KeySize), Random(rng, shape.KeySize), Random(rng, shape.QuerySize));
        int[] keyLengths = [590];
        var window = WindowPattern(shape, 150, 2, 1);
        var topk = new BlockSparsePattern();
        TopKBlockSelection.Build(topk, q, k, keyLengths, shape, 64, topBlocks: 2, localBlocks: 1);
        float[][] RunWith(int threads, BlockSparsePattern pattern)
        {
            using (Parallelism.UseThreads(threads)) return Run(shape, pattern, keyLengths, q, k, v, dO);
        }
        foreach (var pattern in new[] { window, topk })
        {
            var one = RunWith(1, pattern);
            var two = RunWith(2, pattern);
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
        }
    }
}
