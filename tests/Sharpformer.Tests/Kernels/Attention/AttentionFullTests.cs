using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

public class AttentionFullTests
{
    [Theory]
    [MemberData(nameof(AttentionTestCases.Shapes), MemberType = typeof(AttentionTestCases))]
    public void ForwardMatchesReference(int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionTestCases.Shape(batch, heads, tq, tk, hs, causal);
        var (q, k, v, _) = AttentionTestCases.Inputs(shape, 21);
        var expected = new float[shape.QuerySize];
        AttentionReference.Forward(q, k, v, keyLengths, shape, expected);

        var probs = Enumerable.Repeat(7f, (int)shape.ScoreSize).ToArray();
        var o = new float[shape.QuerySize];
        FullAttention.Forward(q, k, v, keyLengths, shape, probs, o);

        AttentionTestCases.AssertClose(expected, o, "O");
        // Every row is a distribution over its visible keys and exactly 0 elsewhere (or all 0 when nothing is visible).
        for (int bh = 0; bh < shape.BatchHeads; bh++)
            for (int i = 0; i < tq; i++)
            {
                int visible = shape.VisibleKeys(i, shape.KeyLengthOf(keyLengths, bh / heads));
                var row = probs.AsSpan((bh * tq + i) * tk, tk);
                double sum = 0;
                for (int j = 0; j < tk; j++)
                {
                    if (j >= visible) Assert.Equal(0f, row[j]);
                    sum += row[j];
                }
                Assert.Equal(visible == 0 ? 0 : 1, sum, 1e-5);
            }
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.Shapes), MemberType = typeof(AttentionTestCases))]
    public void BackwardMatchesReference(int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionTestCases.Shape(batch, heads, tq, tk, hs, causal);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 22);
        var (dQr, dKr, dVr) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        AttentionReference.Backward(q, k, v, dO, keyLengths, shape, dQr, dKr, dVr);

        var probs = new float[shape.ScoreSize];
        var o = new float[shape.QuerySize];
        FullAttention.Forward(q, k, v, keyLengths, shape, probs, o);
        var (dQ, dK, dV) = (Filled(q.Length), Filled(k.Length), Filled(v.Length));
        FullAttention.Backward(q, k, v, probs, dO, keyLengths, shape, dQ, dK, dV);

        AttentionTestCases.AssertClose(dQr, dQ, "dQ");
        AttentionTestCases.AssertClose(dKr, dK, "dK");
        AttentionTestCases.AssertClose(dVr, dV, "dV");
    }

    [Fact]
    public void ThreadCountDoesNotChangeBits()
    {
        var shape = AttentionTestCases.Shape(2, 2, 150, 150, 24, causal: true);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 23);
        int[] keyLengths = [150, 77];
        float[][] Run(int threads)
        {
            using (Parallelism.UseThreads(threads))
            {
                var probs = new float[shape.ScoreSize];
                var o = new float[shape.QuerySize];
                FullAttention.Forward(q, k, v, keyLengths, shape, probs, o);
                var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
                FullAttention.Backward(q, k, v, probs, dO, keyLengths, shape, dQ, dK, dV);
                return [probs, o, dQ, dK, dV];
            }
        }
        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }

    [Fact]
    public void RejectsWrongProbabilitySize()
    {
        var shape = AttentionTestCases.Shape(1, 1, 4, 5, 8, causal: false);
        var ex = Assert.Throws<ArgumentException>(() => FullAttention.Forward(new float[32], new float[40], new float[40], [],
            shape, new float[19], new float[32]));
        Assert.Equal("probs", ex.ParamName);
        Assert.Contains("20", ex.Message);
    }

    private static float[] Filled(long n) => Enumerable.Repeat(-5f, (int)n).ToArray();
}
