using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// Vectorised pieces of the attention softmax. Scores are kept in base 2 (Q is pre-scaled by
/// scale·log₂e) so the exponential is a 2ⁿ exponent shift times a short polynomial.
/// </summary>
internal static unsafe class AttentionMath
{
    public const float Log2E = Kernels.Exp2.Log2E;
    public const float Ln2 = Kernels.Exp2.Ln2;

    /// <summary>2ˣ (see <see cref="Kernels.Exp2"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp2(Vector512<float> x) => Kernels.Exp2.Of(x);

    /// <summary>Scalar 2ˣ with the same polynomial, for row tails shorter than a vector.</summary>
    public static float Exp2(float x) => Kernels.Exp2.Of(x);

    /// <summary>Largest of row[0..n); −∞ when n = 0. Scores are never NaN, so the cheap native max is exact here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float* row, int n)
    {
        var m = Vector512.Create(float.NegativeInfinity);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes) m = Vector512.MaxNative(m, Vector512.Load(row + c));
        var m256 = Vector256.MaxNative(m.GetLower(), m.GetUpper());
        var m128 = Vector128.MaxNative(m256.GetLower(), m256.GetUpper());
        m128 = Vector128.MaxNative(m128, Vector128.Shuffle(m128, Vector128.Create(2, 3, 0, 1)));
        m128 = Vector128.MaxNative(m128, Vector128.Shuffle(m128, Vector128.Create(1, 0, 3, 2)));
        float max = m128.ToScalar();
        for (; c < n; c++) max = row[c] > max ? row[c] : max;
        return max;
    }

    /// <summary>Sum of the 16 lanes by halving (fewer instructions than the general Vector512.Sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v)
    {
        var v256 = v.GetLower() + v.GetUpper();
        var v128 = v256.GetLower() + v256.GetUpper();
        v128 += Vector128.Shuffle(v128, Vector128.Create(2, 3, 0, 1));
        v128 += Vector128.Shuffle(v128, Vector128.Create(1, 0, 3, 2));
        return v128.ToScalar();
    }

    /// <summary>row[c] = 2^(row[c] − shift) for c in [0, n); returns the sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp2InPlace(float* row, int n, float shift)
    {
        var sh = Vector512.Create(shift);
        var sum = Vector512<float>.Zero;
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes)
        {
            var e = Exp2(Vector512.Load(row + c) - sh);
            e.Store(row + c);
            sum += e;
        }
        float total = Sum(sum);
        for (; c < n; c++) total += row[c] = Exp2(row[c] - shift);
        return total;
    }

    /// <summary>
    /// The online-softmax bookkeeping of one key tile for rows [0, n): rescale = 2^(max − newMax) (1 for a row
    /// that has seen no key yet), sum = sum·rescale + tileSum, max = newMax. Buffers hold whole vectors.
    /// </summary>
    public static void UpdateRunningSoftmax(float* max, float* newMax, float* sum, float* tileSum, float* rescale, int n)
    {
        var negativeInfinity = Vector512.Create(float.NegativeInfinity);
        for (int r = 0; r < n; r += AttentionTileGemm.Lanes)
        {
            var oldMax = Vector512.Load(max + r);
            var m = Vector512.Load(newMax + r);
            // −∞ − (−∞) would be NaN: a row with no visible key so far keeps scale 1 (its output is still 0).
            var scale = Vector512.ConditionalSelect(Vector512.Equals(m, negativeInfinity), Vector512<float>.One, Exp2(oldMax - m));
            scale.Store(rescale + r);
            Vector512.FusedMultiplyAdd(Vector512.Load(sum + r), scale, Vector512.Load(tileSum + r)).Store(sum + r);
            m.Store(max + r);
        }
    }

    /// <summary>row[c] = 2^(row[c] − rowLse2) for c &lt; visible and 0 for visible ≤ c &lt; n (n a multiple of 16).</summary>
    public static void Probabilities(float* row, int visible, int n, float rowLse2)
    {
        var sh = Vector512.Create(rowLse2);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= visible; c += AttentionTileGemm.Lanes)
            Exp2(Vector512.Load(row + c) - sh).Store(row + c);
        if (c < n)
        {
            // The vector holding the last visible key: lanes at or past `visible` become 0.
            var lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(c);
            var keep = Vector512.LessThan(lane, Vector512.Create(visible)).AsSingle();
            (Exp2(Vector512.Load(row + c) - sh) & keep).Store(row + c);
            for (c += AttentionTileGemm.Lanes; c < n; c++) row[c] = 0f;
        }
    }

    /// <summary>dP[c] = P[c]·(dP[c] − delta) for c in [0, n), n a multiple of 16: the softmax gradient G = P ⊙ (dP − D).</summary>
    public static void SoftmaxGradient(float* p, float* dP, int n, float delta)
    {
        var d = Vector512.Create(delta);
        for (int c = 0; c < n; c += AttentionTileGemm.Lanes)
            (Vector512.Load(p + c) * (Vector512.Load(dP + c) - d)).Store(dP + c);
    }

    /// <summary>dP[c] = P[c]·(dP[c] − delta)·scale for c in [0, n): the score gradient dS of a materialised softmax row.</summary>
    public static void ScaledSoftmaxGradient(float* p, float* dP, int n, float delta, float scale)
    {
        var d = Vector512.Create(delta);
        var s = Vector512.Create(scale);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes)
            (Vector512.Load(p + c) * (Vector512.Load(dP + c) - d) * s).Store(dP + c);
        for (; c < n; c++) dP[c] = p[c] * (dP[c] - delta) * scale;
    }

    /// <summary>dst[c] += a·src[c] for c in [0, n).</summary>
    public static void AddScaled(float* dst, float* src, int n, float a)
    {
        var av = Vector512.Create(a);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes)
            Vector512.FusedMultiplyAdd(Vector512.Load(src + c), av, Vector512.Load(dst + c)).Store(dst + c);
        for (; c < n; c++) dst[c] += a * src[c];
    }

    /// <summary>row[c] *= s for c in [0, n).</summary>
    public static void Scale(float* row, int n, float s)
    {
        var sv = Vector512.Create(s);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes) (Vector512.Load(row + c) * sv).Store(row + c);
        for (; c < n; c++) row[c] *= s;
    }

    /// <summary>Σ a[c]·b[c] over c in [0, n), with a vector body and a scalar tail.</summary>
    public static float Dot(float* a, float* b, int n)
    {
        int c = 0;
        var acc = Vector512<float>.Zero;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes)
            acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + c), Vector512.Load(b + c), acc);
        float sum = Sum(acc);
        for (; c < n; c++) sum += a[c] * b[c];
        return sum;
    }
}
