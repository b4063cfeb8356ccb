using System.Numerics.Tensors;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>
    /// Inverted dropout: zeroes each element with probability <paramref name="p"/> and scales the rest by
    /// 1/(1 − p), drawing from <paramref name="rng"/> (so the seed decides the mask). Identity when p = 0.
    /// </summary>
    public Variable Dropout(Variable x, float p, Rng rng)
    {
        if (p < 0 || p >= 1) throw new ArgumentException($"dropout: probability must be in [0, 1), got {p}.", nameof(p));
        if (p == 0) return x;
        var mask = Borrow(x.Shape);
        var m = mask.Span;
        float keep = 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = rng.NextDouble() < p ? 0f : keep;
        var y = Result(x.Shape, "dropout", x);
        TensorPrimitives.Multiply(x.Value.Span, m, y.Value.Span);
        Record(y, () =>
        {
            var dX = GradOf(x).Span;
            TensorPrimitives.FusedMultiplyAdd(y.Grad!.Span, mask.Span, dX, dX);
            Release(mask);
        });
        return y;
    }
}
