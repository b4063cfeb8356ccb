using Sharpformer.Kernels;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>Softmax over the last dimension.</summary>
    public Variable Softmax(Variable x)
    {
        int n = x.Dim(-1), rows = x.Value.Size / Math.Max(1, n);
        var y = Result(x.Shape, "softmax", x);
        RowBlocks.For(rows, 4L * n, (s, e) =>
            Kernels.Softmax.Forward(x.Value.Span[(s * n)..(e * n)], y.Value.Span[(s * n)..(e * n)], e - s, n));
        Record(y, () =>
        {
            var dX = GradOf(x);
            RowBlocks.For(rows, 4L * n, (s, e) =>
                Kernels.Softmax.Backward(y.Value.Span[(s * n)..(e * n)], y.Grad!.Span[(s * n)..(e * n)], dX.Span[(s * n)..(e * n)], e - s, n));
        });
        return y;
    }

    /// <summary>
    /// Attention masking of scores (B, nh, Tq, Tk): sets to −∞ every key a query may not see, by the rule of
    /// <see cref="AttentionShape.VisibleKeys"/> that the attention kernels follow — keys after it when
    /// <paramref name="causal"/> (ends aligned: query i sees keys j ≤ i + Tk − Tq), and keys at or past
    /// <paramref name="keyLengths"/>[b] (right padding). Masked entries get no gradient.
    /// </summary>
    public Variable Mask(Variable scores, bool causal, int[]? keyLengths = null)
    {
        if (scores.Value.Rank != 4)
            throw new ArgumentException($"mask: scores must be (B, nh, Tq, Tk), got {Tensors.ShapeOf.Format(scores.Shape)}.");
        int batch = scores.Dim(0), heads = scores.Dim(1), tq = scores.Dim(2), tk = scores.Dim(3);
        // The head size plays no part in the mask.
        var shape = AttentionShape.Create(batch, heads, tq, tk, headSize: 1, causal);
        shape.Validate(keyLengths);
        var y = Result(scores.Shape, "mask", scores);
        var src = scores.Value.Span;
        var dst = y.Value.Span;
        for (int bh = 0; bh < batch * heads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / heads);
            for (int i = 0; i < tq; i++)
            {
                int o = (bh * tq + i) * tk, visible = shape.VisibleKeys(i, keyLength);
                src.Slice(o, visible).CopyTo(dst.Slice(o, visible));
                dst.Slice(o + visible, tk - visible).Fill(float.NegativeInfinity);
            }
        }
        Record(y, () =>
        {
            var dS = GradOf(scores).Span;
            var dY = y.Grad!.Span;
            for (int bh = 0; bh < batch * heads; bh++)
            {
                int keyLength = shape.KeyLengthOf(keyLengths, bh / heads);
                for (int i = 0; i < tq; i++)
                {
                    int o = (bh * tq + i) * tk, visible = shape.VisibleKeys(i, keyLength);
                    System.Numerics.Tensors.TensorPrimitives.Add(dS.Slice(o, visible), dY.Slice(o, visible), dS.Slice(o, visible));
                }
            }
        });
        return y;
    }
}
