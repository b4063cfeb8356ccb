using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// GELU in its exact form (PyTorch's nn.GELU(), nanoGPT's MLP): y = x·Φ(x) with Φ the standard normal CDF,
/// Φ(x) = ½(1 + erf(x/√2)), erf from <see cref="Erf"/> (Abramowitz–Stegun 7.1.26, absolute error below 1.5e-7).
/// The derivative is Φ(x) + x·φ(x), with φ(x) = e^{−x²/2}/√(2π) taken from the e^{−z²} erf already computed.
/// Each element takes the same steps at every width and in the scalar tail.
/// </summary>
internal static class GeluExact
{
    private const float InvSqrt2 = 0.70710678118654752f, InvSqrt2Pi = 0.39894228040143268f;

    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y, Simd.Best);

    internal static unsafe void Forward(ReadOnlySpan<float> x, Span<float> y, SimdWidth width)
    {
        Simd.Require(width);
        if (y.Length < x.Length) throw new ArgumentException($"The output holds {y.Length} values, fewer than the {x.Length} inputs.", nameof(y));
        int n = x.Length;
        fixed (float* px = x, py = y)
        {
            int i = width switch
            {
                SimdWidth.V512 => Forward<Width512, Vector512<float>>(px, py, 0, n),
                SimdWidth.V256 => Forward<Width256, Vector256<float>>(px, py, 0, n),
                SimdWidth.V128 => Forward<Width128, Vector128<float>>(px, py, 0, n),
                _ => 0,
            };
            Forward<WidthScalar, float>(px, py, i, n);
        }
    }

    /// <summary>dX += dY·(Φ(x) + x·φ(x)), or dX = … when <paramref name="accumulate"/> is false.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate = true) =>
        Backward(x, dY, dX, accumulate, Simd.Best);

    internal static unsafe void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate, SimdWidth width)
    {
        Simd.Require(width);
        if (dY.Length < x.Length || dX.Length < x.Length) throw new ArgumentException($"dY and dX must hold at least the {x.Length} inputs.");
        int n = x.Length;
        fixed (float* px = x, pdy = dY, pdx = dX)
        {
            int i = width switch
            {
                SimdWidth.V512 => Backward<Width512, Vector512<float>>(px, pdy, pdx, 0, n, accumulate),
                SimdWidth.V256 => Backward<Width256, Vector256<float>>(px, pdy, pdx, 0, n, accumulate),
                SimdWidth.V128 => Backward<Width128, Vector128<float>>(px, pdy, pdx, 0, n, accumulate),
                _ => 0,
            };
            Backward<WidthScalar, float>(px, pdy, pdx, i, n, accumulate);
        }
    }

    /// <summary>y = x·Φ(x) over whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>; returns where the tail starts.</summary>
    private static unsafe int Forward<TW, TV>(float* x, float* y, int i, int n) where TW : IVectorWidth<TV> where TV : struct
    {
        var invSqrt2 = TW.Splat(InvSqrt2); var half = TW.Splat(0.5f); var one = TW.Splat(1f);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var v = TW.Load(x + i);
            var erf = Erf.Of<TW, TV>(TW.Multiply(v, invSqrt2), out _);
            TW.Store(y + i, TW.Multiply(v, TW.Multiply(half, TW.Add(one, erf))));
        }
        return i;
    }

    /// <summary>dX (+)= dY·(Φ(x) + x·φ(x)) over whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>; returns where the tail starts.</summary>
    private static unsafe int Backward<TW, TV>(float* x, float* dy, float* dx, int i, int n, bool accumulate) where TW : IVectorWidth<TV> where TV : struct
    {
        var invSqrt2 = TW.Splat(InvSqrt2); var invSqrt2Pi = TW.Splat(InvSqrt2Pi); var half = TW.Splat(0.5f);
        var one = TW.Splat(1f); var zero = TW.Splat(0f);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var v = TW.Load(x + i);
            var erf = Erf.Of<TW, TV>(TW.Multiply(v, invSqrt2), out var gaussian);
            var grad = TW.Add(TW.Multiply(half, TW.Add(one, erf)), TW.Multiply(TW.Multiply(v, invSqrt2Pi), gaussian));
            var acc = accumulate ? TW.Load(dx + i) : zero;
            TW.Store(dx + i, TW.Add(acc, TW.Multiply(grad, TW.Load(dy + i))));
        }
        return i;
    }

    /// <summary>Double-precision oracles: x·Φ(x) and its derivative, with erf from its Maclaurin series.</summary>
    public static class Reference
    {
        public static double Value(double x) => x * 0.5 * (1 + Erf(x / Math.Sqrt(2)));

        public static double Derivative(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2))) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

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
