using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Vectorised pieces of the attention softmax. Scores are kept in base 2 (Q is pre-scaled by
/// scale·log₂e) so the exponential is a 2ⁿ exponent shift times a short polynomial.
/// </summary>
internal static unsafe class AttentionMath
{
    public const float Log2E = 1.4426950408889634f;
    public const float Ln2 = 0.6931471805599453f;

    /// <summary>
    /// 2ˣ for x ≤ 128, relative error about 2e-7: x = n + f with f ∈ [−½, ½], 2ᶠ by its degree-6 Taylor
    /// polynomial in f·ln 2 (truncation (0.35)⁷/7! ≈ 1.2e-7), 2ⁿ by writing n + 127 into the exponent bits.
    /// Inputs below −127 (and −∞) give exactly 0.
    /// </summary>
    public static Vector512<float> Exp2(Vector512<float> x)
    {
        x = Vector512.Max(x, Vector512.Create(-127f));
        x = Vector512.Min(x, Vector512.Create(127f));
        var n = Vector512.Round(x);
        var f = x - n;
        var p = Vector512.Create(1.5403530393381609e-4f);
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(1.3333558146428443e-3f));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(9.6181291076284772e-3f));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(5.5504108664821580e-2f));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(0.24022650695910071f));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(0.69314718055994531f));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512<float>.One);
        var exponent = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23);
        return p * exponent.AsSingle();
    }

    /// <summary>Scalar 2ˣ with the same polynomial, for row tails shorter than a vector.</summary>
    public static float Exp2(float x) => Exp2(Vector512.Create(x)).ToScalar();

    /// <summary>Largest of row[0..n); −∞ when n = 0.</summary>
    public static float Max(float* row, int n)
    {
        var m = Vector512.Create(float.NegativeInfinity);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= n; c += AttentionTileGemm.Lanes) m = Vector512.Max(m, Vector512.Load(row + c));
        var m256 = Vector256.Max(m.GetLower(), m.GetUpper());
        var m128 = Vector128.Max(m256.GetLower(), m256.GetUpper());
        float max = MathF.Max(MathF.Max(m128[0], m128[1]), MathF.Max(m128[2], m128[3]));
        for (; c < n; c++) max = MathF.Max(max, row[c]);
        return max;
    }

    /// <summary>row[c] = 2^(row[c] − shift) for c in [0, n); returns the sum.</summary>
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
        float total = Vector512.Sum(sum);
        for (; c < n; c++) total += row[c] = Exp2(row[c] - shift);
        return total;
    }

    /// <summary>row[c] = 2^(row[c] − rowLse2) for c &lt; visible and 0 for visible ≤ c &lt; n (n a multiple of 16).</summary>
    public static void Probabilities(float* row, int visible, int n, float rowLse2)
    {
        var sh = Vector512.Create(rowLse2);
        int c = 0;
        for (; c + AttentionTileGemm.Lanes <= visible; c += AttentionTileGemm.Lanes)
            Exp2(Vector512.Load(row + c) - sh).Store(row + c);
        for (; c < visible; c++) row[c] = Exp2(row[c] - rowLse2);
        for (; c < n; c++) row[c] = 0f;
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
        float sum = Vector512.Sum(acc);
        for (; c < n; c++) sum += a[c] * b[c];
        return sum;
    }
}
