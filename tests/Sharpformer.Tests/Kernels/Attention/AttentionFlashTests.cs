using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

public class AttentionFlashTests
{
    [Theory]
    [MemberData(nameof(AttentionTestCases.Shapes), MemberType = typeof(AttentionTestCases))]
    public void ForwardMatchesReference(int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionTestCases.Shape(batch, heads, tq, tk, hs, causal);
        var (q, k, v, _) = AttentionTestCases.Inputs(shape, 11);
        var expected = new float[shape.QuerySize];
        AttentionReference.Forward(q, k, v, keyLengths, shape, expected);

        var o = new float[shape.QuerySize];
        var lse = new float[shape.RowCount];
        FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse);

        AttentionTestCases.AssertClose(expected, o, "O");
        AssertLogSumExp(q, k, keyLengths, shape, lse);
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.Shapes), MemberType = typeof(AttentionTestCases))]
    public void BackwardMatchesReference(int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionTestCases.Shape(batch, heads, tq, tk, hs, causal);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 12);
        var (dQr, dKr, dVr) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        AttentionReference.Backward(q, k, v, dO, keyLengths, shape, dQr, dKr, dVr);

        var o = new float[shape.QuerySize];
        var lse = new float[shape.RowCount];
        FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse);
        // Gradients are overwritten, never accumulated: start from garbage.
        var (dQ, dK, dV) = (Filled(q.Length), Filled(k.Length), Filled(v.Length));
        FlashAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV);

        AttentionTestCases.AssertClose(dQr, dQ, "dQ");
        AttentionTestCases.AssertClose(dKr, dK, "dK");
        AttentionTestCases.AssertClose(dVr, dV, "dV");
    }

    [Fact]
    public void FullyMaskedRowsGiveZerosAndMinusInfinityLogSumExp()
    {
        // Tq > Tk causal: queries 0..2 see no key; batch item 1 is fully padded.
        var shape = AttentionTestCases.Shape(2, 1, 5, 2, 16, causal: true);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 13);
        int[] keyLengths = [2, 0];
        var o = new float[shape.QuerySize];
        var lse = new float[shape.RowCount];
        FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse);
        var (dQ, dK, dV) = (Filled(q.Length), Filled(k.Length), Filled(v.Length));
        FlashAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV);

        for (int i = 0; i < 5; i++)
        {
            bool empty = i < 3;
            Assert.Equal(empty, float.IsNegativeInfinity(lse[i]));
            Assert.True(float.IsNegativeInfinity(lse[5 + i]));
            for (int c = 0; c < 16; c++)
            {
                if (empty) Assert.Equal(0f, o[i * 16 + c]);
                if (empty) Assert.Equal(0f, dQ[i * 16 + c]);
                Assert.Equal(0f, o[(5 + i) * 16 + c]);
                Assert.Equal(0f, dQ[(5 + i) * 16 + c]);
            }
        }
        Assert.All(dK.AsSpan(32).ToArray(), x => Assert.Equal(0f, x));
        Assert.All(dV.AsSpan(32).ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void ThreadCountDoesNotChangeBits()
    {
        // 3 heads, 3 blocks of keys: the backward deals the blocks into groups and sums partial dQs.
        var shape = AttentionTestCases.Shape(1, 3, 600, 600, 64, causal: true);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 14);
        int[] keyLengths = [590];
        float[][] Run(int threads)
        {
            using (Parallelism.UseThreads(threads))
            {
                var o = new float[shape.QuerySize];
                var lse = new float[shape.RowCount];
                FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse);
                var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
                FlashAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV);
                return [o, lse, dQ, dK, dV];
            }
        }
        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
    }

    [Fact]
    public void CallsAfterTheFirstAllocateNothing()
    {
        var shape = AttentionTestCases.Shape(2, 2, 70, 70, 17, causal: true);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 15);
        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        var (probs, fullO) = (new float[shape.ScoreSize], new float[shape.QuerySize]);
        void All()
        {
            FlashAttention.Forward(q, k, v, [70, 50], shape, o, lse);
            FlashAttention.Backward(q, k, v, o, lse, dO, [70, 50], shape, dQ, dK, dV);
            FullAttention.Forward(q, k, v, [70, 50], shape, probs, fullO);
            FullAttention.Backward(q, k, v, probs, dO, [70, 50], shape, dQ, dK, dV);
        }
        using (Parallelism.UseThreads(1)) // one thread runs the loops inline, so only the kernels themselves are measured
        {
            for (int i = 0; i < 3; i++) All();
            long before = GC.GetAllocatedBytesForCurrentThread();
            All();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void RejectsWrongSizesNamingTheArgument()
    {
        var shape = AttentionTestCases.Shape(1, 2, 4, 4, 8, causal: false);
        var ok = new float[shape.QuerySize];
        var ex = Assert.Throws<ArgumentException>(() =>
            FlashAttention.Forward(ok, ok, new float[3], [], shape, new float[shape.QuerySize], new float[shape.RowCount]));
        Assert.Contains("v", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() =>
            FlashAttention.Forward(ok, ok, ok, [5], shape, new float[shape.QuerySize], new float[shape.RowCount]));
        Assert.Contains("keyLengths", ex.Message);
    }

    private static void AssertLogSumExp(float[] q, float[] k, int[] keyLengths, AttentionShape shape, float[] lse)
    {
        int hs = shape.HeadSize;
        for (int bh = 0; bh < shape.BatchHeads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
            for (int i = 0; i < shape.QueryLength; i++)
            {
                int visible = shape.VisibleKeys(i, keyLength);
                float actual = lse[bh * shape.QueryLength + i];
                if (visible == 0) { Assert.True(float.IsNegativeInfinity(actual)); continue; }
                var scores = new double[visible];
                for (int j = 0; j < visible; j++)
                {
                    double s = 0;
                    for (int c = 0; c < hs; c++) s += (double)q[(bh * shape.QueryLength + i) * hs + c] * k[(bh * shape.KeyLength + j) * hs + c];
                    scores[j] = s * shape.Scale;
                }
                double max = scores.Max();
                double expected = max + Math.Log(scores.Sum(s => Math.Exp(s - max)));
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"lse[{bh},{i}] = {actual}, expected {expected}");
            }
        }
    }

    private static float[] Filled(long n) => Enumerable.Repeat(123f, (int)n).ToArray();
}
