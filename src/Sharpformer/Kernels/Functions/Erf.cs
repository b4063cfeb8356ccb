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
internal static class Erf
{
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private const float MinusLog2E = -Exp2.Log2E;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> z) => Of<Width512, Vector512<float>>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> z, out Vector512<float> gaussian) => Of<Width512, Vector512<float>>(z, out gaussian);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> z) => Of<Width256, Vector256<float>>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> z, out Vector256<float> gaussian) => Of<Width256, Vector256<float>>(z, out gaussian);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> z) => Of<Width128, Vector128<float>>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> z, out Vector128<float> gaussian) => Of<Width128, Vector128<float>>(z, out gaussian);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float z) => Of<WidthScalar, float>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float z, out float gaussian) => Of<WidthScalar, float>(z, out gaussian);

    /// <summary>erf(z) and e^{−z²} at the width of <typeparamref name="TW"/>: the one definition every overload runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Of<TW, TV>(TV z, out TV gaussian) where TW : IVectorWidth<TV> where TV : struct
    {
        var one = TW.Splat(1f);
        var az = TW.Abs(z);
        var t = TW.Divide(one, TW.Add(one, TW.Multiply(TW.Splat(P), az)));
        var poly = TW.FusedMultiplyAdd(TW.Splat(A5), t, TW.Splat(A4));
        poly = TW.FusedMultiplyAdd(poly, t, TW.Splat(A3));
        poly = TW.FusedMultiplyAdd(poly, t, TW.Splat(A2));
        poly = TW.FusedMultiplyAdd(poly, t, TW.Splat(A1));
        gaussian = TW.Exp2(TW.Multiply(TW.Multiply(az, az), TW.Splat(MinusLog2E)));
        var erfAbs = TW.Subtract(one, TW.Multiply(TW.Multiply(poly, t), gaussian));
        return TW.Select(TW.LessThan(z, TW.Splat(0f)), TW.Negate(erfAbs), erfAbs);
    }
}
