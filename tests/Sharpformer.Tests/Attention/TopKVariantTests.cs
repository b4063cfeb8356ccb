using Sharpformer.Attention;
using Sharpformer.Kernels;
using Sharpformer.Tensors;
using Sharpformer.Tests.Autograd;

namespace Sharpformer.Tests.Attention;

public class TopKVariantTests
{
    private static float[] RandomArray(Rng rng, int n)
    {
        var a = new float[n];
        rng.FillNormal(a, 1f);
        return a;
    }

    [Theory]
    [InlineData(TopKEstimate.MeanKey, 1)]
    [InlineData(TopKEstimate.UpperBound, 1)]
    [InlineData(TopKEstimate.MeanKey, 0)]
    public void Causal_AnOutputRowDoesNotDependOnLaterPositions(TopKEstimate estimate, int localBlocks)
    {
        // Later queries and keys must not steer which key tiles an earlier row of the same tile sees.
        const int t = 160, hs = 8, cut = 100; // tiles of 16: cut lies inside the query tile [96, 112)
        var rng = new Rng(21);
        float[] q = RandomArray(rng, t * hs), k = RandomArray(rng, t * hs), v = RandomArray(rng, t * hs);
        var shape = AttentionShape.Create(1, 1, t, t, hs, causal: true);
        float[] before = Attend(q, k, v, shape, estimate, localBlocks);
        for (int trial = 0; trial < 8; trial++)
        {
            float[] q2 = (float[])q.Clone(), k2 = (float[])k.Clone(), v2 = (float[])v.Clone();
            for (int i = cut * hs; i < q2.Length; i++)
                (q2[i], k2[i], v2[i]) = (4f * (float)rng.NextNormal(), 4f * (float)rng.NextNormal(), (float)rng.NextNormal());
            float[] after = Attend(q2, k2, v2, shape, estimate, localBlocks);
            Assert.Equal(before.AsSpan(0, cut * hs).ToArray(), after.AsSpan(0, cut * hs).ToArray());
        }
    }

    private static float[] Attend(float[] q, float[] k, float[] v, AttentionShape shape, TopKEstimate estimate, int localBlocks)
    {
        var pattern = new BlockSparsePattern();
        TopKBlockSelection.Build(pattern, q, k, [], shape, tileSize: 16, topBlocks: 1, localBlocks, estimate);
        var o = new float[q.Length];
        BlockSparseAttention.Forward(q, k, v, [], shape, pattern, o, new float[shape.RowCount]);
        return o;
    }

    [Theory]
    [InlineData(1, 1, true, 64, 3)]
    [InlineData(17, 17, false, 4, 17)]
    [InlineData(65, 65, true, 16, 5)]
    [InlineData(65, 65, false, 16, 5)]
    [InlineData(17, 65, true, 16, 8)]
    [InlineData(257, 257, true, 64, 5)]
    public void AllBlocksSelected_MatchesFull(int tq, int tk, bool causal, int tile, int hs)
    {
        var rng = new Rng(13);
        int b = 2, nh = 2;
        var q = VariantRunner.Param(rng, b, nh, tq, hs);
        var k = VariantRunner.Param(rng, b, nh, tk, hs);
        var v = VariantRunner.Param(rng, b, nh, tk, hs);
        var dO = RandomArray(rng, b * nh * tq * hs);
        var mask = new AttentionMask(causal, [tk, Math.Max(1, tk / 2)]);
        var full = VariantRunner.Run(new FullVariant(), q, k, v, mask, dO);
        int allBlocks = (tk + tile - 1) / tile;
        var estimate = tile == 16 ? TopKEstimate.MeanKey : TopKEstimate.UpperBound;
        var topk = VariantRunner.Run(new TopKVariant(topBlocks: allBlocks, localBlocks: 0, tileSize: tile, estimate), q, k, v, mask, dO);
        VariantRunner.AssertClose(topk.O, VariantRunner.ToDouble(full.O), "O");
        VariantRunner.AssertClose(topk.DQ, VariantRunner.ToDouble(full.DQ), "dQ");
        VariantRunner.AssertClose(topk.DK, VariantRunner.ToDouble(full.DK), "dK");
        VariantRunner.AssertClose(topk.DV, VariantRunner.ToDouble(full.DV), "dV");
    }

    [Theory]
    [InlineData(100, 100, true, 2, 1, TopKEstimate.MeanKey)]
    [InlineData(100, 100, false, 1, 1, TopKEstimate.MeanKey)]
    [InlineData(40, 100, true, 1, 0, TopKEstimate.MeanKey)]
    [InlineData(100, 100, true, 2, 1, TopKEstimate.UpperBound)]
    public void SelectedBlocks_MatchNaiveReference(int tq, int tk, bool causal, int top, int local, TopKEstimate estimate)
    {
        var rng = new Rng(29);
        int b = 2, nh = 2, hs = 6, tile = 16;
        var q = VariantRunner.Param(rng, b, nh, tq, hs);
        var k = VariantRunner.Param(rng, b, nh, tk, hs);
        var v = VariantRunner.Param(rng, b, nh, tk, hs);
        var dO = RandomArray(rng, b * nh * tq * hs);
        var mask = new AttentionMask(causal, [tk, tk * 3 / 4]);
        var actual = VariantRunner.Run(new TopKVariant(top, local, tile, estimate), q, k, v, mask, dO);

        var pattern = new BlockSparsePattern();
        var shape = AttentionShape.Create(b, nh, tq, tk, hs, causal);
        TopKBlockSelection.Build(pattern, q.Value.Span, k.Value.Span, mask.KeyLengths, shape, tile, top, local, estimate);
        var selected = new HashSet<(int, int, int)>();
        for (int bh = 0; bh < b * nh; bh++)
            for (int qt = 0; qt < pattern.QueryTiles; qt++)
            {
                var (first, end) = pattern.EntriesOf(bh, qt);
                Assert.True(end - first <= top + local + (causal ? 0 : local));
                for (int e = first; e < end; e++) selected.Add((bh, qt, pattern.KeyTileOf(e)));
            }
        var expected = MaskedAttentionOracle.Run(q.Value.Span.ToArray(), k.Value.Span.ToArray(), v.Value.Span.ToArray(), dO, b * nh, tq, tk, hs,
            (bh, i, j) => MaskedAttentionOracle.BaseMask(mask, nh, tq, tk, bh, i, j) && selected.Contains((bh, i / tile, j / tile)));
        VariantRunner.AssertClose(actual.O, expected.O, "O");
        VariantRunner.AssertClose(actual.DQ, expected.DQ, "dQ");
        VariantRunner.AssertClose(actual.DK, expected.DK, "dK");
        VariantRunner.AssertClose(actual.DV, expected.DV, "dV");
    }

    [Fact]
    public void SelectsTheBlockThatMatchesTheQueries()
    {
        // Queries all point along channel 0; only key tile 2 does too, so it must be chosen next to the local tile.
        int t = 64, hs = 4, tile = 16;
        var q = new float[t * hs];
        var k = new float[t * hs];
        for (int i = 0; i < t; i++) q[i * hs] = 1f;
        for (int j = 0; j < t; j++) k[j * hs + 1] = 1f;
        for (int j = 32; j < 48; j++) { k[j * hs] = 3f; k[j * hs + 1] = 0f; }
        var pattern = new BlockSparsePattern();
        TopKBlockSelection.Build(pattern, q, k, [], AttentionShape.Create(1, 1, t, t, hs, causal: false), tile, topBlocks: 1, localBlocks: 1);
        var (first, end) = pattern.EntriesOf(0, 0);
        Assert.Equal([0, 2], Enumerable.Range(first, end - first).Select(pattern.KeyTileOf).ToArray());
        (first, end) = pattern.EntriesOf(0, 3);
        Assert.Equal([2, 3], Enumerable.Range(first, end - first).Select(pattern.KeyTileOf).ToArray());
    }

    [Theory]
    [InlineData(TopKEstimate.MeanKey, 2)]
    [InlineData(TopKEstimate.UpperBound, 1)]
    public void UpperBoundFindsALoneStrongKey(TopKEstimate estimate, int expectedTile)
    {
        // Queries point along channel 0. Tile 1 holds one key scoring 10 among keys that score 0; every key of
        // tile 2 scores 1. The mean key prefers tile 2, the upper bound tile 1.
        int t = 64, hs = 4, tile = 16;
        var q = new float[t * hs];
        var k = new float[t * hs];
        for (int i = 0; i < t; i++) q[i * hs] = 1f;
        for (int j = 0; j < t; j++) k[j * hs + 1] = 1f;
        k[20 * hs] = 10f;
        for (int j = 32; j < 48; j++) k[j * hs] = 1f;
        var pattern = new BlockSparsePattern();
        TopKBlockSelection.Build(pattern, q, k, [], AttentionShape.Create(1, 1, t, t, hs, causal: false), tile, topBlocks: 1, localBlocks: 1, estimate);
        var (first, end) = pattern.EntriesOf(0, 0);
        Assert.Equal([0, expectedTile], Enumerable.Range(first, end - first).Select(pattern.KeyTileOf).ToArray());
    }

    [Fact]
    public void UpperBoundIsNeverBelowAScore()
    {
        var rng = new Rng(9);
        int rows = 5, keys = 7, hs = 6;
        for (int trial = 0; trial < 20; trial++)
        {
            var q = RandomArray(rng, rows * hs);
            var k = RandomArray(rng, keys * hs);
            var (min, max) = (new float[hs], new float[hs]);
            for (int c = 0; c < hs; c++)
            {
                min[c] = Enumerable.Range(0, keys).Min(j => k[j * hs + c]);
                max[c] = Enumerable.Range(0, keys).Max(j => k[j * hs + c]);
            }
            float bound = TopKBlockSelection.UpperBound(q, rows, hs, min, max);
            double best = double.NegativeInfinity;
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < keys; j++)
                    best = Math.Max(best, Enumerable.Range(0, hs).Sum(c => (double)q[i * hs + c] * k[j * hs + c]));
            Assert.True(bound >= best - 1e-5, $"bound {bound} below score {best}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ComputedFraction_IsTheSelectedTiles(bool causal)
    {
        int t = 256, tile = 64, hs = 8;
        var rng = new Rng(2);
        var q = RandomArray(rng, t * hs);
        var k = RandomArray(rng, t * hs);
        var shape = AttentionShape.Create(1, 1, t, t, hs, causal);
        var pattern = new BlockSparsePattern();
        TopKBlockSelection.Build(pattern, q, k, [], shape, tile, topBlocks: 1, localBlocks: 1);
        // Two tiles per query tile, except the first causal one, which has only its diagonal tile.
        Assert.Equal(causal ? 7.0 / 16 : 8.0 / 16, pattern.VisitedTileFraction, 12);
        // Scores computed: whole tiles, less what the causal mask hides inside the diagonal tiles.
        double expected = causal ? (4 * (tile * (tile + 1) / 2.0) + 3.0 * tile * tile) / (t * t) : 8.0 * tile * tile / (t * t);
        Assert.Equal(expected, pattern.ComputedScoreFraction([], shape), 12);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var rng = new Rng(7);
        var q = GradCheck.Param(rng, "q", 1, 2, 12, 4);
        var k = GradCheck.Param(rng, "k", 1, 2, 12, 4);
        var v = GradCheck.Param(rng, "v", 1, 2, 12, 4);
        var variant = new TopKVariant(topBlocks: 1, localBlocks: 1, tileSize: 4);
        GradCheck.Check(tape => variant.Forward(tape, q, k, v, AttentionMask.CausalOnly), [q, k, v]);
    }

    [Fact]
    public void VariantNamesParse()
    {
        var v = Assert.IsType<TopKVariant>(AttentionVariants.Create("topk:4:2"));
        Assert.Equal((4, 2), (v.TopBlocks, v.LocalBlocks));
        Assert.Equal(8, Assert.IsType<TopKVariant>(AttentionVariants.Create("topk")).TopBlocks);
        Assert.IsType<TopKVariant>(AttentionVariants.Create(v.Name));
        var bound = Assert.IsType<TopKVariant>(AttentionVariants.Create("topk:4:2:bound"));
        Assert.Equal(TopKEstimate.UpperBound, bound.Estimate);
        Assert.Equal("topk:4:2:bound", bound.Name);
        Assert.Throws<ArgumentException>(() => AttentionVariants.Create("topk:4:2:max"));
        Assert.Throws<ArgumentException>(() => AttentionVariants.Create("topk:0:0"));
        Assert.Throws<ArgumentException>(() => AttentionVariants.Create("topk:1:1:1"));
    }
}
