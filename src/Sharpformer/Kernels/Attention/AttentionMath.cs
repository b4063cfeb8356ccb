using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Row pieces of the attention softmax at each vector width. Scores are kept in base 2 (Q is pre-scaled by
/// scale·log₂e) so the exponential is a 2ⁿ exponent shift times a short polynomial. Each public method takes the
/// width its kernel chose for the call and runs the generic body compiled for that width; rows need not be whole
/// vectors (a scalar tail finishes them).
/// </summary>
internal static unsafe class AttentionMath
{
    public const float Log2E = Kernels.Exp2.Log2E;
    public const float Ln2 = Kernels.Exp2.Ln2;

    /// <summary>2ˣ (see <see cref="Kernels.Exp2"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp2(Vector512<float> x) => Kernels.Exp2.Of(x);

    /// <summary>Scalar 2ˣ with the same polynomial, for per-row bookkeeping.</summary>
    public static float Exp2(float x) => Kernels.Exp2.Of(x);

    /// <summary>Largest of row[0..n); −∞ when n = 0. Scores are never NaN, so the cheap native max is exact here.</summary>
    public static float Max(SimdWidth width, float* row, int n) => width switch
    {
        SimdWidth.V512 => Max<Width512, Vector512<float>>(row, n),
        SimdWidth.V256 => Max<Width256, Vector256<float>>(row, n),
        SimdWidth.V128 => Max<Width128, Vector128<float>>(row, n),
        _ => Max<WidthScalar, float>(row, n),
    };

    /// <summary>row[c] = 2^(row[c] − shift) for c in [0, n); returns the sum.</summary>
    public static float Exp2InPlace(SimdWidth width, float* row, int n, float shift) => width switch
    {
        SimdWidth.V512 => Exp2InPlace<Width512, Vector512<float>>(row, n, shift),
        SimdWidth.V256 => Exp2InPlace<Width256, Vector256<float>>(row, n, shift),
        SimdWidth.V128 => Exp2InPlace<Width128, Vector128<float>>(row, n, shift),
        _ => Exp2InPlace<WidthScalar, float>(row, n, shift),
    };

    /// <summary>
    /// The online-softmax bookkeeping of one key tile for rows [0, n): rescale = 2^(max − newMax) (1 for a row
    /// that has seen no key yet), sum = sum·rescale + tileSum, max = newMax. Buffers hold n rounded up to 16.
    /// </summary>
    public static void UpdateRunningSoftmax(SimdWidth width, float* max, float* newMax, float* sum, float* tileSum, float* rescale, int n)
    {
        switch (width)
        {
            case SimdWidth.V512: UpdateRunningSoftmax<Width512, Vector512<float>>(max, newMax, sum, tileSum, rescale, n); break;
            case SimdWidth.V256: UpdateRunningSoftmax<Width256, Vector256<float>>(max, newMax, sum, tileSum, rescale, n); break;
            case SimdWidth.V128: UpdateRunningSoftmax<Width128, Vector128<float>>(max, newMax, sum, tileSum, rescale, n); break;
            default: UpdateRunningSoftmax<WidthScalar, float>(max, newMax, sum, tileSum, rescale, n); break;
        }
    }

    /// <summary>row[c] = 2^(row[c] − rowLse2) for c &lt; visible and 0 for visible ≤ c &lt; n.</summary>
    public static void Probabilities(SimdWidth width, float* row, int visible, int n, float rowLse2)
    {
        switch (width)
        {
            case SimdWidth.V512: Probabilities<Width512, Vector512<float>>(row, visible, n, rowLse2); break;
            case SimdWidth.V256: Probabilities<Width256, Vector256<float>>(row, visible, n, rowLse2); break;
            case SimdWidth.V128: Probabilities<Width128, Vector128<float>>(row, visible, n, rowLse2); break;
            default: Probabilities<WidthScalar, float>(row, visible, n, rowLse2); break;
        }
    }

    /// <summary>dP[c] = P[c]·(dP[c] − delta)·scale for c in [0, n): the softmax gradient G = P ⊙ (dP − D), scaled.</summary>
    public static void SoftmaxGradient(SimdWidth width, float* p, float* dP, int n, float delta, float scale = 1f)
    {
        switch (width)
        {
            case SimdWidth.V512: SoftmaxGradient<Width512, Vector512<float>>(p, dP, n, delta, scale); break;
            case SimdWidth.V256: SoftmaxGradient<Width256, Vector256<float>>(p, dP, n, delta, scale); break;
            case SimdWidth.V128: SoftmaxGradient<Width128, Vector128<float>>(p, dP, n, delta, scale); break;
            default: SoftmaxGradient<WidthScalar, float>(p, dP, n, delta, scale); break;
        }
    }

    /// <summary>dst[c] += a·src[c] for c in [0, n).</summary>
    public static void AddScaled(SimdWidth width, float* dst, float* src, int n, float a)
    {
        switch (width)
        {
            case SimdWidth.V512: AddScaled<Width512, Vector512<float>>(dst, src, n, a); break;
            case SimdWidth.V256: AddScaled<Width256, Vector256<float>>(dst, src, n, a); break;
            case SimdWidth.V128: AddScaled<Width128, Vector128<float>>(dst, src, n, a); break;
            default: AddScaled<WidthScalar, float>(dst, src, n, a); break;
        }
    }

    /// <summary>row[c] *= s for c in [0, n).</summary>
    public static void Scale(SimdWidth width, float* row, int n, float s)
    {
        switch (width)
        {
            case SimdWidth.V512: Scale<Width512, Vector512<float>>(row, n, s); break;
            case SimdWidth.V256: Scale<Width256, Vector256<float>>(row, n, s); break;
            case SimdWidth.V128: Scale<Width128, Vector128<float>>(row, n, s); break;
            default: Scale<WidthScalar, float>(row, n, s); break;
        }
    }

    /// <summary>Σ a[c]·b[c] over c in [0, n).</summary>
    public static float Dot(SimdWidth width, float* a, float* b, int n) => width switch
    {
        SimdWidth.V512 => Dot<Width512, Vector512<float>>(a, b, n),
        SimdWidth.V256 => Dot<Width256, Vector256<float>>(a, b, n),
        SimdWidth.V128 => Dot<Width128, Vector128<float>>(a, b, n),
        _ => Dot<WidthScalar, float>(a, b, n),
    };

    private static float Max<TW, TV>(float* row, int n) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var m = TW.Splat(float.NegativeInfinity);
        int c = 0;
        for (; c + TW.Lanes <= n; c += TW.Lanes) m = TW.Max(m, TW.Load(row + c));
        float max = TW.MaxAcross(m);
        for (; c < n; c++) max = row[c] > max ? row[c] : max;
        return max;
    }

    private static float Exp2InPlace<TW, TV>(float* row, int n, float shift) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var sh = TW.Splat(shift);
        var sum = TW.Splat(0f);
        int c = 0;
        for (; c + TW.Lanes <= n; c += TW.Lanes)
        {
            var e = TW.Exp2(TW.Subtract(TW.Load(row + c), sh));
            TW.Store(row + c, e);
            sum = TW.Add(sum, e);
        }
        float total = TW.Sum(sum);
        for (; c < n; c++) total += row[c] = Kernels.Exp2.Of(row[c] - shift);
        return total;
    }

    private static void UpdateRunningSoftmax<TW, TV>(float* max, float* newMax, float* sum, float* tileSum, float* rescale, int n)
        where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var negativeInfinity = TW.Splat(float.NegativeInfinity);
        var one = TW.Splat(1f);
        for (int r = 0; r < n; r += TW.Lanes)
        {
            var oldMax = TW.Load(max + r);
            var m = TW.Load(newMax + r);
            // −∞ − (−∞) would be NaN: a row with no visible key so far keeps scale 1 (its output is still 0).
            var scale = TW.Select(TW.Equal(m, negativeInfinity), one, TW.Exp2(TW.Subtract(oldMax, m)));
            TW.Store(rescale + r, scale);
            TW.Store(sum + r, TW.MultiplyAdd(TW.Load(sum + r), scale, TW.Load(tileSum + r)));
            TW.Store(max + r, m);
        }
    }

    private static void Probabilities<TW, TV>(float* row, int visible, int n, float rowLse2) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var sh = TW.Splat(rowLse2);
        int c = 0;
        for (; c + TW.Lanes <= visible; c += TW.Lanes) TW.Store(row + c, TW.Exp2(TW.Subtract(TW.Load(row + c), sh)));
        for (; c < visible; c++) row[c] = Kernels.Exp2.Of(row[c] - rowLse2);
        if (c < n) new Span<float>(row + c, n - c).Clear();
    }

    private static void SoftmaxGradient<TW, TV>(float* p, float* dP, int n, float delta, float scale) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var d = TW.Splat(delta);
        var s = TW.Splat(scale);
        int c = 0;
        for (; c + TW.Lanes <= n; c += TW.Lanes)
            TW.Store(dP + c, TW.Multiply(TW.Multiply(TW.Load(p + c), TW.Subtract(TW.Load(dP + c), d)), s));
        for (; c < n; c++) dP[c] = p[c] * (dP[c] - delta) * scale;
    }

    private static void AddScaled<TW, TV>(float* dst, float* src, int n, float a) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var av = TW.Splat(a);
        int c = 0;
        for (; c + TW.Lanes <= n; c += TW.Lanes) TW.Store(dst + c, TW.MultiplyAdd(TW.Load(src + c), av, TW.Load(dst + c)));
        for (; c < n; c++) dst[c] += a * src[c];
    }

    private static void Scale<TW, TV>(float* row, int n, float s) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var sv = TW.Splat(s);
        int c = 0;
        for (; c + TW.Lanes <= n; c += TW.Lanes) TW.Store(row + c, TW.Multiply(TW.Load(row + c), sv));
        for (; c < n; c++) row[c] *= s;
    }

    private static float Dot<TW, TV>(float* a, float* b, int n) where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        var acc = TW.Splat(0f);
        int c = 0;
        for (; c + TW.Lanes <= n; c += TW.Lanes) acc = TW.MultiplyAdd(TW.Load(a + c), TW.Load(b + c), acc);
        float sum = TW.Sum(acc);
        for (; c < n; c++) sum += a[c] * b[c];
        return sum;
    }
}
