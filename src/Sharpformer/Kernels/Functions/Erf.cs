using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// erf(z) at every vector width and in scalar, from Abramowitz–Stegun 7.1.26 on |z| (absolute error below
/// 1.5e-7 before fp32 rounding), extended as an odd function: erf(|z|) ≈ 1 − t·(a₁ + a₂t + … + a₅t⁴)·e^{−z²}
/// with t = 1/(1 + p|z|), and e^{−z²} from <see cref="Exp2"/>. The overloads with <c>gaussian</c> also hand back
/// e^{−z²}, which a caller needing the normal density (the GELU derivative) would otherwise compute again.
/// Every width takes the same steps in the same order, so a lane gives the same bits at any width
/// (for |z| up to about 9.3, where e^{−z²} is still a normal float).
/// </summary>
public static class Erf
{
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private const float MinusLog2E = -Exp2.Log2E;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> z) => Of(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> z, out Vector512<float> gaussian)
    {
        var az = Vector512.Abs(z);
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(P) * az);
        var poly = Vector512.FusedMultiplyAdd(Vector512.Create(A5), t, Vector512.Create(A4));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(A3));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(A2));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(A1));
        gaussian = Exp2.Of(az * az * Vector512.Create(MinusLog2E));
        var erfAbs = Vector512<float>.One - poly * t * gaussian;
        return Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512<float>.Zero), -erfAbs, erfAbs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> z) => Of(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> z, out Vector256<float> gaussian)
    {
        var az = Vector256.Abs(z);
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(P) * az);
        var poly = Vector256.FusedMultiplyAdd(Vector256.Create(A5), t, Vector256.Create(A4));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(A3));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(A2));
        poly = Vector256.FusedMultiplyAdd(poly, t, Vector256.Create(A1));
        gaussian = Exp2.Of(az * az * Vector256.Create(MinusLog2E));
        var erfAbs = Vector256<float>.One - poly * t * gaussian;
        return Vector256.ConditionalSelect(Vector256.LessThan(z, Vector256<float>.Zero), -erfAbs, erfAbs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> z) => Of(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> z, out Vector128<float> gaussian)
    {
        var az = Vector128.Abs(z);
        var t = Vector128<float>.One / (Vector128<float>.One + Vector128.Create(P) * az);
        var poly = Vector128.FusedMultiplyAdd(Vector128.Create(A5), t, Vector128.Create(A4));
        poly = Vector128.FusedMultiplyAdd(poly, t, Vector128.Create(A3));
        poly = Vector128.FusedMultiplyAdd(poly, t, Vector128.Create(A2));
        poly = Vector128.FusedMultiplyAdd(poly, t, Vector128.Create(A1));
        gaussian = Exp2.Of(az * az * Vector128.Create(MinusLog2E));
        var erfAbs = Vector128<float>.One - poly * t * gaussian;
        return Vector128.ConditionalSelect(Vector128.LessThan(z, Vector128<float>.Zero), -erfAbs, erfAbs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float z) => Of(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float z, out float gaussian)
    {
        float az = MathF.Abs(z);
        float t = 1f / (1f + P * az);
        float poly = MathF.FusedMultiplyAdd(A5, t, A4);
        poly = MathF.FusedMultiplyAdd(poly, t, A3);
        poly = MathF.FusedMultiplyAdd(poly, t, A2);
        poly = MathF.FusedMultiplyAdd(poly, t, A1);
        gaussian = Exp2.Of(az * az * MinusLog2E);
        float erfAbs = 1f - poly * t * gaussian;
        return z < 0f ? -erfAbs : erfAbs;
    }
}
