using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Kernels;
using Sharpformer.Tensors;
using Sharpformer.Tests.Autograd;

namespace Sharpformer.Tests.Attention;

public class WindowVariantTests
{
    private static float[] RandomArray(Rng rng, int n)
    {
        var a = new float[n];
        rng.FillNormal(a, 1f);
        return a;
    }

    [Theory]
    [InlineData(1, 1, true, 64, 1)]
    [InlineData(3, 3, false, 64, 3)]
    [InlineData(17, 17, true, 4, 17)]
    [InlineData(65, 65, true, 16, 5)]
    [InlineData(65, 65, false, 16, 5)]
    [InlineData(17, 65, true, 16, 8)]
    [InlineData(257, 257, true, 64, 5)]
    public void WindowCoveringEverything_MatchesFull(int tq, int tk, bool causal, int tile, int hs)
    {
        var rng = new Rng(11);
        int b = 2, nh = 2;
        var q = VariantRunner.Param(rng, b, nh, tq, hs);
        var k = VariantRunner.Param(rng, b, nh, tk, hs);
        var v = VariantRunner.Param(rng, b, nh, tk, hs);
        var dO = RandomArray(rng, b * nh * tq * hs);
        var mask = new AttentionMask(causal, [tk, Math.Max(1, tk - 2)]);
        var full = VariantRunner.Run(new FullVariant(), q, k, v, mask, dO);
        var window = VariantRunner.Run(new WindowVariant(window: Math.Max(tq, tk), tileSize: tile), q, k, v, mask, dO);
        VariantRunner.AssertClose(window.O, VariantRunner.ToDouble(full.O), "O");
        VariantRunner.AssertClose(window.DQ, VariantRunner.ToDouble(full.DQ), "dQ");
        VariantRunner.AssertClose(window.DK, VariantRunner.ToDouble(full.DK), "dK");
        VariantRunner.AssertClose(window.DV, VariantRunner.ToDouble(full.DV), "dV");
    }

    [Theory]
    [InlineData(65, 65, true, 7, 0, 0, 16)]
    [InlineData(65, 65, false, 7, 0, 0, 16)]
    [InlineData(100, 100, true, 20, 3, 0, 16)]
    [InlineData(100, 100, false, 9, 2, 0, 8)]
    [InlineData(33, 90, true, 5, 0, 0, 16)]
    [InlineData(130, 130, true, 16, 1, 2, 16)]
    [InlineData(130, 130, false, 10, 0, 3, 16)]
    public void BandMask_MatchesNaiveReference(int tq, int tk, bool causal, int w, int g, int randomBlocks, int tile)
    {
        var rng = new Rng(23);
        int b = 2, nh = 2, hs = 6;
        var q = VariantRunner.Param(rng, b, nh, tq, hs);
        var k = VariantRunner.Param(rng, b, nh, tk, hs);
        var v = VariantRunner.Param(rng, b, nh, tk, hs);
        var dO = RandomArray(rng, b * nh * tq * hs);
        var mask = new AttentionMask(causal, [tk, tk * 2 / 3]);
        var variant = new WindowVariant(window: w, globalTokens: g, randomBlocks: randomBlocks, seed: 5, tileSize: tile);
        var actual = VariantRunner.Run(variant, q, k, v, mask, dO);

        var randomTiles = RandomTiles(variant.PatternFor(tq, tk, causal));
        int offset = tk - tq;
        var expected = MaskedAttentionOracle.Run(q.Value.Span.ToArray(), k.Value.Span.ToArray(), v.Value.Span.ToArray(), dO, b * nh, tq, tk, hs,
            (bh, i, j) =>
            {
                if (!MaskedAttentionOracle.BaseMask(mask, nh, tq, tk, bh, i, j)) return false;
                int pos = i + offset;
                return Math.Abs(pos - j) < w || pos < g || j < g || randomTiles.Contains((i / tile, j / tile));
            });
        VariantRunner.AssertClose(actual.O, expected.O, "O");
        VariantRunner.AssertClose(actual.DQ, expected.DQ, "dQ");
        VariantRunner.AssertClose(actual.DK, expected.DK, "dK");
        VariantRunner.AssertClose(actual.DV, expected.DV, "dV");
    }

    private static HashSet<(int, int)> RandomTiles(BlockSparsePattern pattern)
    {
        var set = new HashSet<(int, int)>();
        for (int qt = 0; qt < pattern.QueryTiles; qt++)
        {
            var (first, end) = pattern.EntriesOf(0, qt);
            for (int e = first; e < end; e++)
                if (pattern.IsWhole(e)) set.Add((qt, pattern.KeyTileOf(e)));
        }
        return set;
    }

    [Fact]
    public void RandomBlocks_AreSeededAndCounted()
    {
        var shape = AttentionShape.Create(1, 1, 256, 256, 8, causal: false);
        var a = new BlockSparsePattern();
        var c = new BlockSparsePattern();
        var d = new BlockSparsePattern();
        BlockSparseWindowPattern.Build(a, shape, 16, window: 8, globalTokens: 0, randomBlocks: 3, seed: 1);
        BlockSparseWindowPattern.Build(c, shape, 16, window: 8, globalTokens: 0, randomBlocks: 3, seed: 1);
        BlockSparseWindowPattern.Build(d, shape, 16, window: 8, globalTokens: 0, randomBlocks: 3, seed: 2);
        Assert.Equal(RandomTiles(a), RandomTiles(c));
        Assert.NotEqual(RandomTiles(a), RandomTiles(d));
        for (int qt = 0; qt < a.QueryTiles; qt++)
        {
            var (first, end) = a.EntriesOf(0, qt);
            int whole = 0;
            for (int e = first; e < end; e++) if (a.IsWhole(e)) whole++;
            Assert.Equal(3, whole);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ComputedFraction_IsTheBand(bool causal)
    {
        int t = 256, w = 64, tile = 64;
        var shape = AttentionShape.Create(1, 1, t, t, 8, causal);
        var variant = new WindowVariant(window: w, tileSize: tile);
        var pattern = variant.PatternFor(t, t, causal);
        // Causal: Σᵢ min(i + 1, w); non-causal: Σᵢ |{j : |i − j| < w}|.
        long expected = 0;
        if (causal) expected = (long)w * (w + 1) / 2 + (long)(t - w) * w;
        else for (int i = 0; i < t; i++) expected += Math.Min(t - 1, i + w - 1) - Math.Max(0, i - w + 1) + 1;
        Assert.Equal((double)expected / ((double)t * t), pattern.ComputedScoreFraction([], shape), 12);
        // Tiles: causal visits the diagonal and the one before it (7 of 16); non-causal also the one after (10 of 16).
        Assert.Equal(causal ? 7.0 / 16 : 10.0 / 16, pattern.VisitedTileFraction, 12);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var rng = new Rng(3);
        var q = GradCheck.Param(rng, "q", 1, 2, 9, 4);
        var k = GradCheck.Param(rng, "k", 1, 2, 9, 4);
        var v = GradCheck.Param(rng, "v", 1, 2, 9, 4);
        var variant = new WindowVariant(window: 3, globalTokens: 1, randomBlocks: 1, seed: 4, tileSize: 4);
        GradCheck.Check(tape => variant.Forward(tape, q, k, v, AttentionMask.CausalOnly), [q, k, v]);
    }

    [Fact]
    public void VariantNamesParse()
    {
        var w = Assert.IsType<WindowVariant>(AttentionVariants.Create("window:128:2:1"));
        Assert.Equal((128, 2, 1), (w.Window, w.GlobalTokens, w.RandomBlocks));
        Assert.Equal(256, Assert.IsType<WindowVariant>(AttentionVariants.Create("window")).Window);
        Assert.Equal("window:128:2:1", w.Name);
        Assert.IsType<WindowVariant>(AttentionVariants.Create(w.Name));
        var e = Assert.Throws<ArgumentException>(() => AttentionVariants.Create("window:abc"));
        Assert.Contains("abc", e.Message);
        Assert.Throws<ArgumentException>(() => AttentionVariants.Create("window:0"));
    }
}
