using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// GELU in its exact form (PyTorch's nn.GELU(), nanoGPT's MLP): y = x·Φ(x) with Φ the standard normal CDF,
/// Φ(x) = ½(1 + erf(x/√2)). erf comes from Abramowitz–Stegun 7.1.26 (absolute error below 1.5e-7);
/// the derivative is Φ(x) + x·φ(x).
/// </summary>
public static class GeluExact
{
    private const float InvSqrt2 = 0.70710678118654752f, InvSqrt2Pi = 0.39894228040143268f;
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0, w = Vector512<float>.Count;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - w; i += w)
            {
                var v = Vector512.Create(x.Slice(i, w));
                (v * Cdf(v)).CopyTo(y.Slice(i, w));
            }
        for (; i < x.Length; i++) y[i] = x[i] * Cdf(Vector512.Create(x[i])).ToScalar();
    }

    /// <summary>dX += dY·(Φ(x) + x·φ(x)), or dX = … when <paramref name="accumulate"/> is false.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate = true)
    {
        int i = 0, w = Vector512<float>.Count;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= x.Length - w; i += w)
            {
                var v = Vector512.Create(x.Slice(i, w));
                var grad = Derivative(v) * Vector512.Create(dY.Slice(i, w));
                if (accumulate) grad += Vector512.Create(dX.Slice(i, w));
                grad.CopyTo(dX.Slice(i, w));
            }
        for (; i < x.Length; i++)
            dX[i] = (accumulate ? dX[i] : 0f) + dY[i] * Derivative(Vector512.Create(x[i])).ToScalar();
    }

    private static Vector512<float> Derivative(Vector512<float> v) =>
        Cdf(v) + v * Vector512.Create(InvSqrt2Pi) * Exp(v * v * Vector512.Create(-0.5f));

    /// <summary>Φ(v) = ½(1 + erf(v/√2)), erf odd-extended from its A–S approximation on |z|.</summary>
    private static Vector512<float> Cdf(Vector512<float> v)
    {
        var z = v * Vector512.Create(InvSqrt2);
        var az = Vector512.Abs(z);
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(P) * az);
        var poly = Vector512.FusedMultiplyAdd(Vector512.Create(A5), t, Vector512.Create(A4));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(A3));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(A2));
        poly = Vector512.FusedMultiplyAdd(poly, t, Vector512.Create(A1));
        var erfAbs = Vector512<float>.One - poly * t * Exp(-(az * az));
        var erf = Vector512.ConditionalSelect(Vector512.LessThan(z, Vector512<float>.Zero), -erfAbs, erfAbs);
        return Vector512.Create(0.5f) * (Vector512<float>.One + erf);
    }

    private static Vector512<float> Exp(Vector512<float> x) => AttentionMath.Exp2(x * Vector512.Create(AttentionMath.Log2E));

    /// <summary>Double-precision oracle: x·Φ(x) with erf from its Maclaurin series.</summary>
    public static class Reference
    {
        public static double Value(double x) => x * 0.5 * (1 + Erf(x / Math.Sqrt(2)));

        /// <summary>erf by its Maclaurin series (accurate to about 1e-9 for |z| ≤ 4, where the terms stay below 4e6).</summary>
        public static double Erf(double z)
        {
            if (Math.Abs(z) > 4) return Math.Sign(z); // 1 − erf(4) ≈ 1.5e-8
            double sum = 0, term = z;
            for (int n = 0; n < 200; n++)
            {
                sum += term / (2 * n + 1);
                term *= -z * z / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
    }
}
