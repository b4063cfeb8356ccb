using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// e^x over spans through <see cref="AttentionMath.Exp2"/> (relative error about 2e-7): several times
/// faster than a general-purpose exp, which is what softmax and cross-entropy rows spend their time on.
/// </summary>
public static class FastExp
{
    /// <summary>y = e^(x − shift), element by element; returns Σ y.</summary>
    public static float ExpShifted(ReadOnlySpan<float> x, float shift, Span<float> y)
    {
        int i = 0, w = Vector512<float>.Count;
        var sum = Vector512<float>.Zero;
        var log2e = Vector512.Create(AttentionMath.Log2E);
        var s = Vector512.Create(shift);
        for (; i <= x.Length - w; i += w)
        {
            var e = AttentionMath.Exp2((Vector512.Create(x.Slice(i, w)) - s) * log2e);
            e.CopyTo(y.Slice(i, w));
            sum += e;
        }
        float total = Vector512.Sum(sum);
        for (; i < x.Length; i++)
        {
            y[i] = AttentionMath.Exp2((x[i] - shift) * AttentionMath.Log2E);
            total += y[i];
        }
        return total;
    }
}
