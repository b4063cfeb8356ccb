using Sharpformer.Autograd;
using Sharpformer.Tensors;
using static Sharpformer.Tests.Autograd.GradCheck;

namespace Sharpformer.Tests.Autograd;

public class OpGradientTests
{
    private readonly Rng _rng = new(2024);

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void BatchedMatMul(bool transA, bool transB)
    {
        var a = Param(_rng, "a", transA ? [2, 3, 5, 4] : [2, 3, 4, 5]);
        var b = Param(_rng, "b", transB ? [2, 3, 7, 5] : [2, 3, 5, 7]);
        Check(t => t.MatMul(a, b, transA, transB), [a, b]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMulWithSharedRightOperand(bool transA, bool transB)
    {
        var a = Param(_rng, "a", transA ? [3, 5, 4] : [3, 4, 5]);
        var b = Param(_rng, "b", transB ? [6, 5] : [5, 6]);
        Check(t => t.MatMul(a, b, transA, transB), [a, b]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear(bool withBias)
    {
        var x = Param(_rng, "x", 2, 3, 5);
        var w = Param(_rng, "w", 7, 5);
        var b = Param(_rng, "b", 7);
        Check(t => t.Linear(x, w, withBias ? b : null), withBias ? [x, w, b] : [x, w]);
    }

    [Fact]
    public void AddAndMulBroadcastOverLeadingDims()
    {
        var a = Param(_rng, "a", 2, 3, 4);
        var b = Param(_rng, "b", 3, 4);
        var c = Param(_rng, "c", 4);
        Check(t => t.Mul(t.Add(a, b), c), [a, b, c]);
        Check(t => t.Scale(t.Add(a, a), 0.3f), [a]);
    }

    [Fact]
    public void ReluAndGelu()
    {
        var x = Param(_rng, "x", 5, 9);
        // Keep ReLU inputs away from its kink at 0, where the difference quotient is meaningless.
        foreach (ref float v in x.Value.Span) if (MathF.Abs(v) < 0.05f) v = 0.5f;
        Check(t => t.Relu(x), [x]);
        Check(t => t.Gelu(x), [x]);
        Check(t => t.GeluExact(x), [x]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LayerNorm(bool withBias)
    {
        var x = Param(_rng, "x", 3, 70, 9); // 210 rows: more than one row block
        var g = Param(_rng, "g", 9);
        var b = Param(_rng, "b", 9);
        Check(t => t.LayerNorm(x, g, withBias ? b : null), withBias ? [x, g, b] : [x, g], maxPerInput: 32);
    }

    [Fact]
    public void SoftmaxAndMask()
    {
        var s = Param(_rng, "s", 2, 2, 3, 5);
        Check(t => t.Softmax(s), [s]);
        Check(t => t.Softmax(t.Mask(s, causal: true)), [s]);
        Check(t => t.Softmax(t.Mask(s, causal: false, keyLengths: [2, 0])), [s]);
    }

    [Fact]
    public void Embedding()
    {
        var table = Param(_rng, "E", 6, 4);
        int[] ids = [1, 5, 1, 0, 3, 1];
        Check(t => t.Embedding(ids, [2, 3], table), [table]);
    }

    [Fact]
    public void DropoutWithFixedSeed()
    {
        var x = Param(_rng, "x", 4, 8);
        Check(t => t.Dropout(x, 0.3f, new Rng(11)), [x]);
    }

    [Fact]
    public void SplitAndMergeHeads()
    {
        var x = Param(_rng, "x", 2, 3, 12); // (B, T, 3C) with C = 4, 2 heads of 2
        var w = Param(_rng, "w", 2, 2, 3, 2);
        Check(t => t.MergeHeads(t.Mul(t.SplitHeads(x, heads: 2, part: 1, parts: 3), w)), [x, w]);
        Check(t => t.Reshape(t.SplitHeads(x, heads: 3), 2, 36), [x]);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void CrossEntropyWithIgnoreIndex(float smoothing)
    {
        var logits = Param(_rng, "logits", 2, 3, 7);
        int[] targets = [3, -100, 0, 6, 2, -100];
        Check(t => t.CrossEntropy(logits, targets, ignoreIndex: -100, labelSmoothing: smoothing), [logits]);
    }

    [Fact]
    public void CrossEntropyMatchesDoubleReference()
    {
        var logits = Param(_rng, "logits", 65, 17);
        var targets = Enumerable.Range(0, 65).Select(i => i % 5 == 0 ? -1 : (i * 7) % 17).ToArray();
        using var tape = new Tape(recordGradients: false);
        float loss = tape.CrossEntropy(logits, targets, -1, 0.1f).Value.Span[0];
        double expected = Sharpformer.Kernels.CrossEntropy.Reference.MeanLoss(logits.Value.Span, targets, 65, 17, -1, 0.1f);
        Assert.Equal(expected, loss, 1e-5);
    }

    [Theory]
    [InlineData(AttentionKernel.Full, true)]
    [InlineData(AttentionKernel.Full, false)]
    [InlineData(AttentionKernel.Flash, true)]
    [InlineData(AttentionKernel.Flash, false)]
    public void FusedAttentionMatchesGradientsAndComposedOps(AttentionKernel kernel, bool causal)
    {
        var q = Param(_rng, "q", 2, 2, 5, 3);
        var k = Param(_rng, "k", 2, 2, 7, 3);
        var v = Param(_rng, "v", 2, 2, 7, 3);
        int[] lengths = [7, 4];
        // q used twice: the second use must add to, not overwrite, the first one's gradient.
        Check(t => t.Add(t.ScaledDotProductAttention(q, k, v, causal, lengths, kernel), q), [q, k, v]);

        using var tape = new Tape(recordGradients: false);
        var fused = tape.ScaledDotProductAttention(q, k, v, causal, lengths, kernel).Value.Span.ToArray();
        var scores = tape.Mask(tape.Scale(tape.MatMul(q, k, transB: true), 1 / MathF.Sqrt(3)), causal, lengths);
        var composed = tape.MatMul(tape.Softmax(scores), v).Value.Span.ToArray();
        for (int i = 0; i < fused.Length; i++) Assert.Equal(composed[i], fused[i], 1e-5);
    }

    [Fact]
    public void GradientsAccumulateUntilZeroed()
    {
        var x = Param(_rng, "x", 3);
        for (int i = 0; i < 2; i++)
        {
            using var tape = new Tape();
            tape.Backward(tape.Sum(tape.Scale(x, 2f)));
        }
        Assert.All(x.Grad!.Span.ToArray(), g => Assert.Equal(4f, g));
        x.ZeroGrad();
        Assert.All(x.Grad!.Span.ToArray(), g => Assert.Equal(0f, g));
    }
}
