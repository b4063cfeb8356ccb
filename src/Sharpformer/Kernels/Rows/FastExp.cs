using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// e^x over spans through <see cref="Exp2"/> (relative error about 2e-7): several times faster than a
/// general-purpose exp, which is what softmax and cross-entropy rows spend their time on. Each element is
/// computed the same way at every width, so the values have the same bits whichever path ran (where
/// x − shift is above about −87 and the result a normal float; below, the Vector512 path may give a
/// subnormal where the others give 0); only the order of the returned sum depends on the width.
/// </summary>
internal static class FastExp
{
    /// <summary>y = e^(x − shift), element by element; returns Σ y. y may be x.</summary>
    public static float ExpShifted(ReadOnlySpan<float> x, float shift, Span<float> y) => ExpShifted(x, shift, y, Simd.Best);

    /// <summary>Σ e^(x − shift) without storing the terms: the same sum, in the same order, as <see cref="ExpShifted(ReadOnlySpan{float}, float, Span{float})"/>.</summary>
    public static float SumExpShifted(ReadOnlySpan<float> x, float shift) => SumExpShifted(x, shift, Simd.Best);

    internal static unsafe float ExpShifted(ReadOnlySpan<float> x, float shift, Span<float> y, SimdWidth width)
    {
        Simd.Require(width);
        if (y.Length < x.Length) throw new ArgumentException($"The output holds {y.Length} values, fewer than the {x.Length} inputs.", nameof(y));
        fixed (float* px = x, py = y) return Run(px, py, x.Length, shift, store: true, width);
    }

    internal static unsafe float SumExpShifted(ReadOnlySpan<float> x, float shift, SimdWidth width)
    {
        Simd.Require(width);
        fixed (float* px = x) return Run(px, px, x.Length, shift, store: false, width);
    }

    private static unsafe float Run(float* x, float* y, int n, float shift, bool store, SimdWidth width)
    {
        float sum = 0f;
        int i = width switch
        {
            SimdWidth.V512 => Body<Width512, Vector512<float>>(x, y, 0, n, shift, store, ref sum),
            SimdWidth.V256 => Body<Width256, Vector256<float>>(x, y, 0, n, shift, store, ref sum),
            SimdWidth.V128 => Body<Width128, Vector128<float>>(x, y, 0, n, shift, store, ref sum),
            _ => 0,
        };
        Body<WidthScalar, float>(x, y, i, n, shift, store, ref sum);
        return sum;
    }

    /// <summary>
    /// Whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>; returns where the tail starts. The
    /// accumulator starts at <paramref name="sum"/> in every lane (0 for the vector widths, which run first; the
    /// vector sum for the scalar tail, which so adds its terms one by one after it), and its lanes' sum replaces
    /// <paramref name="sum"/>.
    /// </summary>
    private static unsafe int Body<TW, TV>(float* x, float* y, int i, int n, float shift, bool store, ref float sum)
        where TW : IVectorWidth<TV> where TV : struct
    {
        var acc = TW.Splat(sum);
        var s = TW.Splat(shift);
        var log2e = TW.Splat(Exp2.Log2E);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var e = TW.Exp2(TW.Multiply(TW.Subtract(TW.Load(x + i), s), log2e));
            if (store) TW.Store(y + i, e);
            acc = TW.Add(acc, e);
        }
        sum = TW.VectorSum(acc);
        return i;
    }
}
