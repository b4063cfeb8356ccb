using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// The logistic function σ(z) = 1/(1 + e^{−z}) at every vector width and in scalar, with e^{−z} = 2^{−z·log₂e}
/// from <see cref="Exp2"/>. Its error is relative (about 2e-7 plus 1e-7·|z|, from rounding the exponent) at
/// both ends: there is no 1 − … cancellation, so σ(−20) ≈ 2e-9 keeps its digits. The exponent is capped at
/// 126 (e^{−z} ≤ 2¹²⁶, inside the range where <see cref="Exp2"/> gives the same bits at every width), so for
/// z below about −87.3 σ is 2⁻¹²⁶ and nothing overflows. The overloads with <c>expMinusZ</c> also hand back
/// e^{−z}, from which a caller gets 1 − σ = e^{−z}·σ without cancellation either.
/// Every width takes the same steps in the same order, so σ gives the same bits at any width, and so does
/// e^{−z} wherever it is a normal float (z below about 87.3; above, the Vector512 path may give a subnormal
/// where the others give 0).
/// </summary>
internal static class Sigmoid
{
    private const float MinusLog2E = -Exp2.Log2E;
    private const float MaxExponent = 126f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> z) => Of<Width512, Vector512<float>>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> z, out Vector512<float> expMinusZ) => Of<Width512, Vector512<float>>(z, out expMinusZ);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> z) => Of<Width256, Vector256<float>>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> z, out Vector256<float> expMinusZ) => Of<Width256, Vector256<float>>(z, out expMinusZ);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> z) => Of<Width128, Vector128<float>>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of(Vector128<float> z, out Vector128<float> expMinusZ) => Of<Width128, Vector128<float>>(z, out expMinusZ);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float z) => Of<WidthScalar, float>(z, out _);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Of(float z, out float expMinusZ) => Of<WidthScalar, float>(z, out expMinusZ);

    /// <summary>σ(z) and e^{−z} at the width of <typeparamref name="TW"/>: the one definition every overload runs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Of<TW, TV>(TV z, out TV expMinusZ) where TW : IVectorWidth<TV> where TV : struct
    {
        expMinusZ = TW.Exp2(TW.Min(TW.Multiply(z, TW.Splat(MinusLog2E)), TW.Splat(MaxExponent)));
        return TW.Divide(TW.Splat(1f), TW.Add(TW.Splat(1f), expMinusZ));
    }
}
