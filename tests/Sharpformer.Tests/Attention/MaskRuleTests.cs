using Sharpformer.Autograd;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Attention;

/// <summary>The autograd mask op hides exactly the keys the attention kernels hide: one rule, <see cref="AttentionShape.VisibleKeys"/>.</summary>
public class MaskRuleTests
{
    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(3, 8, true)]   // cached decoding: the ends of the sequences line up
    [InlineData(8, 3, true)]   // more queries than keys: the first five see nothing
    [InlineData(4, 6, false)]
    public void MaskHidesWhatTheKernelsHide(int tq, int tk, bool causal)
    {
        const int batch = 3, heads = 2;
        int[] keyLengths = [tk, 0, tk - 2];
        var scores = new Tensor([batch, heads, tq, tk]);
        new Rng(61).FillNormal(scores.Span, 1f);
        var x = Variable.Parameter(scores, "scores");
        using var tape = new Tape();
        var y = tape.Mask(x, causal, keyLengths);
        tape.Backward(tape.Sum(y));

        // The kernels' materialised probabilities are 0 exactly where the mask op put −∞.
        var shape = AttentionShape.Create(batch, heads, tq, tk, 4, causal);
        var q = new float[shape.QuerySize];
        var kv = new float[shape.KeySize];
        new Rng(62).FillNormal(q, 1f);
        new Rng(63).FillNormal(kv, 1f);
        var probs = new float[shape.ScoreSize];
        FullAttention.Forward(q, kv, kv, keyLengths, shape, probs, new float[shape.QuerySize]);
        for (int i = 0; i < probs.Length; i++)
        {
            bool hidden = float.IsNegativeInfinity(y.Value.Span[i]);
            Assert.Equal(hidden, probs[i] == 0f);
            if (!hidden) Assert.Equal(scores.Span[i], y.Value.Span[i]);
            Assert.Equal(hidden ? 0f : 1f, x.Grad!.Span[i]);
        }
    }

    [Fact]
    public void MaskRejectsKeyLengthsOutsideTheKeys()
    {
        var x = Variable.Parameter(new Tensor([2, 1, 3, 4]), "scores");
        using var tape = new Tape();
        var ex = Assert.Throws<ArgumentException>(() => tape.Mask(x, causal: false, keyLengths: [4, 5]));
        Assert.Equal("keyLengths", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => tape.Mask(x, causal: false, keyLengths: [4]));
        Assert.Equal("keyLengths", ex.ParamName);
    }
}
