using Sharpformer.Attention;
using Sharpformer.Kernels;
using Sharpformer.Tensors;
using Sharpformer.Tests.Autograd;

namespace Sharpformer.Tests.Attention;

public class LshVariantTests
{
    private static float[] RandomArray(Rng rng, int n)
    {
        var a = new float[n];
        rng.FillNormal(a, 1f);
        return a;
    }

    [Theory]
    [InlineData(1, 1, true, 1, 3)]
    [InlineData(3, 3, false, 2, 3)]
    [InlineData(17, 17, true, 1, 17)]
    [InlineData(65, 65, true, 2, 5)]
    [InlineData(17, 65, true, 2, 8)]
    [InlineData(257, 257, false, 1, 5)]
    public void OneChunkCoveringEverything_MatchesFull(int tq, int tk, bool causal, int rounds, int hs)
    {
        // With one chunk every round sees every key, and repeating the same entries in several rounds does not change the softmax.
        var rng = new Rng(17);
        int b = 2, nh = 2;
        var shape = AttentionShape.Create(b, nh, tq, tk, hs, causal);
        var options = new LshOptions(Buckets: 4, ChunkSize: tq, Rounds: rounds, ExcludeSelf: false);
        var rotations = RandomArray(rng, options.RotationSize(hs));
        var (q, k, v) = (RandomArray(rng, tq * b * nh * hs), RandomArray(rng, tk * b * nh * hs), RandomArray(rng, tk * b * nh * hs));
        var dO = RandomArray(rng, q.Length);
        int[] lengths = [tk, Math.Max(1, tk - 3)];
        var (o, lse) = (new float[q.Length], new float[b * nh * tq]);
        LshAttention.Forward(q, k, v, lengths, shape, options, rotations, o, lse);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        LshAttention.Backward(q, k, v, o, lse, dO, lengths, shape, options, rotations, dQ, dK, dV);

        var (eo, edq, edk, edv) = (new double[q.Length], new double[q.Length], new double[k.Length], new double[v.Length]);
        AttentionReference.Forward(VariantRunner.ToDouble(q), VariantRunner.ToDouble(k), VariantRunner.ToDouble(v), lengths, shape, eo);
        AttentionReference.Backward(VariantRunner.ToDouble(q), VariantRunner.ToDouble(k), VariantRunner.ToDouble(v), VariantRunner.ToDouble(dO), lengths, shape, edq, edk, edv);
        VariantRunner.AssertClose(o, eo, "O");
        VariantRunner.AssertClose(dQ, edq, "dQ");
        VariantRunner.AssertClose(dK, edk, "dK");
        VariantRunner.AssertClose(dV, edv, "dV");
    }

    [Theory]
    [InlineData(100, true, 8, 16, 2, true, 6)]
    [InlineData(100, false, 4, 10, 3, true, 6)]
    [InlineData(37, true, 2, 8, 1, false, 6)]
    [InlineData(300, true, 4, 40, 2, true, 20)]
    [InlineData(260, false, 8, 64, 2, true, 64)]
    public void HashedChunks_MatchNaiveReference(int t, bool causal, int buckets, int chunk, int rounds, bool excludeSelf, int hs)
    {
        var rng = new Rng(31);
        int b = 2, nh = 2;
        var shape = AttentionShape.Create(b, nh, t, t, hs, causal);
        var options = new LshOptions(buckets, chunk, rounds, excludeSelf);
        var rotations = RandomArray(rng, options.RotationSize(hs));
        var (q, k, v) = (RandomArray(rng, t * b * nh * hs), RandomArray(rng, t * b * nh * hs), RandomArray(rng, t * b * nh * hs));
        var dO = RandomArray(rng, q.Length);
        int[] lengths = [t, t * 2 / 3];
        var (o, lse) = (new float[q.Length], new float[b * nh * t]);
        LshAttention.Forward(q, k, v, lengths, shape, options, rotations, o, lse);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        LshAttention.Backward(q, k, v, o, lse, dO, lengths, shape, options, rotations, dQ, dK, dV);

        var counts = NaiveEntryCounts(q, k, lengths, nh, t, hs, causal, options, rotations);
        var expected = MaskedAttentionOracle.Run(q, k, v, dO, b * nh, t, t, hs, (bh, i, j) => counts[(bh * t + i) * t + j]);
        VariantRunner.AssertClose(o, expected.O, "O");
        VariantRunner.AssertClose(dQ, expected.DQ, "dQ");
        VariantRunner.AssertClose(dK, expected.DK, "dK");
        VariantRunner.AssertClose(dV, expected.DV, "dV");
    }

    /// <summary>
    /// How many rounds put key j among query i's entries, by the definition: hash by argmax of [x·R, −x·R], sort by
    /// (bucket, position), chunk m of queries sees key chunks m − 1 and m; self only when nothing else is visible.
    /// </summary>
    private static int[] NaiveEntryCounts(float[] q, float[] k, int[] lengths, int nh, int t, int hs, bool causal, LshOptions options, float[] rotations)
    {
        int bhCount = q.Length / (t * hs), half = options.Buckets / 2, chunks = (t + options.ChunkSize - 1) / options.ChunkSize;
        var counts = new int[bhCount * t * t];
        for (int bh = 0; bh < bhCount; bh++)
            for (int round = 0; round < options.Rounds; round++)
            {
                int Bucket(float[] x, int p)
                {
                    var values = new double[options.Buckets];
                    for (int b = 0; b < half; b++)
                    {
                        double d = 0;
                        for (int c = 0; c < hs; c++) d += x[(bh * t + p) * hs + c] * rotations[(round * hs + c) * half + b];
                        values[b] = d;
                        values[b + half] = -d;
                    }
                    return Array.IndexOf(values, values.Max());
                }
                var qOrder = Enumerable.Range(0, t).OrderBy(p => Bucket(q, p)).ThenBy(p => p).ToArray();
                var kOrder = Enumerable.Range(0, t).OrderBy(p => Bucket(k, p)).ThenBy(p => p).ToArray();
                for (int slot = 0; slot < t; slot++)
                {
                    int i = qOrder[slot], m = slot / options.ChunkSize;
                    int from = Math.Max(m - 1, 0) * t / chunks, to = Math.Min(m + 1, chunks) * t / chunks;
                    var seen = new List<int>();
                    for (int s = from; s < to; s++)
                    {
                        int j = kOrder[s];
                        if (j >= lengths[bh / nh] || (causal && j > i)) continue;
                        seen.Add(j);
                    }
                    if (options.ExcludeSelf && seen.Count > 1) seen.Remove(i);
                    foreach (int j in seen) counts[(bh * t + i) * t + j]++;
                }
            }
        return counts;
    }

    [Fact]
    public void ComputedFraction_IsTwoChunksPerQuery()
    {
        int t = 256, chunk = 64, hs = 8, rounds = 2;
        var rng = new Rng(4);
        var q = RandomArray(rng, t * hs);
        var shape = AttentionShape.Create(1, 1, t, t, hs, causal: false);
        var options = new LshOptions(8, chunk, rounds, ExcludeSelf: true);
        var rotations = RandomArray(rng, options.RotationSize(hs));
        // Shared keys: chunk 0 sees itself less self, every later chunk sees two chunks less self.
        double expected = rounds * (chunk * (chunk - 1.0) + 3.0 * chunk * (2 * chunk - 1)) / (t * t);
        Assert.Equal(expected, LshAttention.ComputedScoreFraction(q, q, [], shape, options, rotations), 12);
    }

    [Fact]
    public void ThreadCountDoesNotChangeBits()
    {
        var rng = new Rng(12);
        var shape = AttentionShape.Create(1, 3, 300, 300, 64, causal: true);
        var options = new LshOptions(8, 32, 2, ExcludeSelf: true);
        var rotations = RandomArray(rng, options.RotationSize(shape.HeadSize));
        var (q, k, v, dO) = (RandomArray(rng, (int)shape.QuerySize), RandomArray(rng, (int)shape.KeySize), RandomArray(rng, (int)shape.KeySize), RandomArray(rng, (int)shape.QuerySize));
        int[] lengths = [290];
        float[][] Run(int threads)
        {
            using (Parallelism.UseThreads(threads))
            {
                var (o, lse) = (new float[q.Length], new float[shape.RowCount]);
                LshAttention.Forward(q, k, v, lengths, shape, options, rotations, o, lse);
                var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
                LshAttention.Backward(q, k, v, o, lse, dO, lengths, shape, options, rotations, dQ, dK, dV);
                return [o, lse, dQ, dK, dV];
            }
        }
        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var rng = new Rng(8);
        var q = GradCheck.Param(rng, "q", 1, 2, 12, 4);
        var k = GradCheck.Param(rng, "k", 1, 2, 12, 4);
        var v = GradCheck.Param(rng, "v", 1, 2, 12, 4);
        var variant = new LshVariant(buckets: 4, chunkSize: 4, rounds: 2, seed: 3);
        GradCheck.Check(tape => variant.Forward(tape, q, k, v, AttentionMask.CausalOnly), [q, v]);
    }

    [Fact]
    public void VariantNamesParse()
    {
        var v = Assert.IsType<LshVariant>(AttentionVariants.Create("lsh:8:32:4"));
        Assert.Equal(new LshOptions(8, 32, 4, true), v.Options);
        Assert.IsType<LshVariant>(AttentionVariants.Create(v.Name));
        Assert.Throws<ArgumentException>(() => AttentionVariants.Create("lsh:3"));
    }
}
