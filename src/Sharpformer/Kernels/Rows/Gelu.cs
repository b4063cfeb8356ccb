using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// GELU in its tanh form (GPT-2's): y = ½·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³), computed as
/// y = x·σ(2u) (½(1 + tanh u) = σ(2u)) with <see cref="Sigmoid"/>. That form has no 1 + tanh cancellation for
/// negative x, and the derivative σ(2u) + x·σ(2u)·(1 − σ(2u))·2u′ takes 1 − σ as e^{−2u}·σ, so it keeps its
/// relative accuracy where tanh u is within rounding of ±1. It saturates cleanly (to x and to 0) for large |x|.
/// Each element takes the same steps at every width and in the scalar tail, so the result does not depend on
/// the path that ran.
/// </summary>
internal static class Gelu
{
    private const float TwoK0 = 2 * 0.7978845608028654f; // 2√(2/π)
    private const float K1 = 0.044715f;
    private const float K3 = 3 * K1;

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

    /// <summary>dX += dY · GELU′(x), or dX = dY · GELU′(x) when <paramref name="accumulate"/> is false.</summary>
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

    /// <summary>y = x·σ(2u) over whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>; returns where the tail starts.</summary>
    private static unsafe int Forward<TW, TV>(float* x, float* y, int i, int n) where TW : IVectorWidth<TV> where TV : struct
    {
        var k0 = TW.Splat(TwoK0); var k1 = TW.Splat(K1);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var v = TW.Load(x + i);
            var u = TW.Multiply(k0, TW.Add(v, TW.Multiply(TW.Multiply(TW.Multiply(k1, v), v), v)));
            TW.Store(y + i, TW.Multiply(v, Sigmoid.Of<TW, TV>(u, out _)));
        }
        return i;
    }

    /// <summary>
    /// dX (+)= dY·(σ + x·u′·e^{−2u}·σ²) over whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>;
    /// returns where the tail starts.
    /// </summary>
    private static unsafe int Backward<TW, TV>(float* x, float* dy, float* dx, int i, int n, bool accumulate) where TW : IVectorWidth<TV> where TV : struct
    {
        var k0 = TW.Splat(TwoK0); var k1 = TW.Splat(K1); var k3 = TW.Splat(K3); var one = TW.Splat(1f); var zero = TW.Splat(0f);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var v = TW.Load(x + i);
            var v2 = TW.Multiply(v, v);
            var s = Sigmoid.Of<TW, TV>(TW.Multiply(k0, TW.Add(v, TW.Multiply(TW.Multiply(k1, v2), v))), out var q); // q = e^{−2u}, so 1 − s = q·s
            var du = TW.Multiply(k0, TW.Add(one, TW.Multiply(k3, v2)));
            var grad = TW.Add(s, TW.Multiply(TW.Multiply(v, du), TW.Multiply(TW.Multiply(q, s), s)));
            var acc = accumulate ? TW.Load(dx + i) : zero;
            TW.Store(dx + i, TW.Add(acc, TW.Multiply(grad, TW.Load(dy + i))));
        }
        return i;
    }

    /// <summary>Double-precision oracles for tests.</summary>
    public static class Reference
    {
        private static readonly double K0 = Math.Sqrt(2 / Math.PI);

        public static double Value(double x) => 0.5 * x * (1 + Math.Tanh(K0 * (x + 0.044715 * x * x * x)));

        public static double Derivative(double x)
        {
            double t = Math.Tanh(K0 * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K0 * (1 + 3 * 0.044715 * x * x);
        }
    }
}
