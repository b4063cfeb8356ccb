using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// 2ˣ at every vector width, with relative error about 2e-7: x = n + f with n = round(x) and f ∈ [−½, ½];
/// 2ᶠ by its degree-6 Taylor polynomial in f·ln 2 (truncation (0.35)⁷/7! ≈ 1.2e-7); 2ⁿ applied exactly.
/// Softmax, cross-entropy, GELU and attention spend their time here, so it is several times cheaper than a
/// general-purpose exp. Every width computes the same polynomial in the same order, so a lane gives the same
/// bits whichever width (or the scalar tail) computed it, for x ≥ −126. Inputs at or below −150 (and −∞)
/// give exactly 0; inputs are expected to be at most 127 (scores minus their maximum).
/// </summary>
internal static class Exp2
{
    public const float Log2E = 1.4426950408889634f;
    public const float Ln2 = 0.6931471805599453f;

    // Adding 1.5·2²³ rounds |x| < 2²² to an integer (to nearest, ties to even) held in the low mantissa bits.
    private const float RoundingMagic = 12582912f;

    private const byte RoundToNearest = 0x08; // imm8 of vrndscaleps: round to nearest even, suppress the inexact exception

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> x)
    {
        if (Avx512F.IsSupported)
        {
            // vrndscaleps rounds, vscalefps multiplies by 2ⁿ with correct underflow: 9 instructions in all.
            x = Vector512.MaxNative(x, Vector512.Create(-150f));
            var n = Avx512F.RoundScale(x, RoundToNearest);
            return Avx512F.Scale(Polynomial(x - n), n);
        }
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-127f)), Vector512.Create(127f));
        var magic = Vector512.Create(RoundingMagic);
        var t = x + magic;
        var p = Polynomial(x - (t - magic));
        // The bits of t are 0x4B400000 + n; shifted left by 23 the constant part vanishes, leaving 2ⁿ's
        // exponent field (n = −127 gives the bits of 0).
        return p * Vector512.ShiftLeft(t.AsInt32() + Vector512.Create(127), 23).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-127f)), Vector256.Create(127f));
        var magic = Vector256.Create(RoundingMagic);
        var t = x + magic;
        var p = Polynomial(x - (t - magic));
        return p * Vector256.ShiftLeft(t.AsInt32() + Vector256.Create(127), 23).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> x)
    {
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(-127f)), Vector128.Create(127f));
        var magic = Vector128.Create(RoundingMagic);
        var t = x + magic;
        var p = Polynomial(x - (t - magic));
        return p * Vector128.ShiftLeft(t.AsInt32() + Vector128.Create(127), 23).AsSingle();
    }

    /// <summary>The scalar path (row tails, and machines without vectors): the same steps on one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float x)
    {
        // Scores are never NaN, so the order of Min and Max does not matter here.
        x = MathF.Min(MathF.Max(x, -127f), 127f);
        float t = x + RoundingMagic;
        float p = Polynomial(x - (t - RoundingMagic));
        return p * BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(t) + 127) << 23);
    }

    /// <summary>2ᶠ for f ∈ [−½, ½]: Taylor series of e^(f·ln 2) to degree 6, Horner with fused steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Polynomial(Vector512<float> f) => Polynomial<Width512, Vector512<float>>(f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Polynomial(Vector256<float> f) => Polynomial<Width256, Vector256<float>>(f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Polynomial(Vector128<float> f) => Polynomial<Width128, Vector128<float>>(f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Polynomial(float f) => Polynomial<WidthScalar, float>(f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Polynomial<TW, TV>(TV f) where TW : IVectorWidth<TV> where TV : struct
    {
        var p = TW.Splat(C6);
        p = TW.FusedMultiplyAdd(p, f, TW.Splat(C5));
        p = TW.FusedMultiplyAdd(p, f, TW.Splat(C4));
        p = TW.FusedMultiplyAdd(p, f, TW.Splat(C3));
        p = TW.FusedMultiplyAdd(p, f, TW.Splat(C2));
        p = TW.FusedMultiplyAdd(p, f, TW.Splat(C1));
        return TW.FusedMultiplyAdd(p, f, TW.Splat(1f));
    }

    // (ln 2)ᵏ / k!
    private const float C1 = 0.69314718055994531f, C2 = 0.24022650695910071f, C3 = 5.5504108664821580e-2f;
    private const float C4 = 9.6181291076284772e-3f, C5 = 1.3333558146428443e-3f, C6 = 1.5403530393381609e-4f;
}
