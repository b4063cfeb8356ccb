using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// GELU in its exact form (PyTorch's nn.GELU(), nanoGPT's MLP): y = x·Φ(x) with Φ the standard normal CDF,
/// Φ(x) = ½(1 + erf(x/√2)), erf from <see cref="Erf"/> (Abramowitz–Stegun 7.1.26, absolute error below 1.5e-7).
/// The derivative is Φ(x) + x·φ(x), with φ(x) = e^{−x²/2}/√(2π) taken from the e^{−z²} erf already computed.
/// Each element takes the same steps at every width and in the scalar tail.
/// </summary>
public static class GeluExact
{
    private const float InvSqrt2 = 0.70710678118654752f, InvSqrt2Pi = 0.39894228040143268f;

    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y, Simd.Best);

    internal static void Forward(ReadOnlySpan<float> x, Span<float> y, SimdWidth width)
    {
        Simd.Require(width);
        if (y.Length < x.Length) throw new ArgumentException($"The output holds {y.Length} values, fewer than the {x.Length} inputs.", nameof(y));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int n = x.Length;
        int i = width switch
        {
            SimdWidth.V512 => Forward512(ref px, ref py, n),
            SimdWidth.V256 => Forward256(ref px, ref py, n),
            SimdWidth.V128 => Forward128(ref px, ref py, n),
            _ => 0,
        };
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref px, i);
            Unsafe.Add(ref py, i) = v * (0.5f * (1f + Erf.Of(v * InvSqrt2)));
        }
    }

    /// <summary>dX += dY·(Φ(x) + x·φ(x)), or dX = … when <paramref name="accumulate"/> is false.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate = true) =>
        Backward(x, dY, dX, accumulate, Simd.Best);

    internal static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate, SimdWidth width)
    {
        Simd.Require(width);
        if (dY.Length < x.Length || dX.Length < x.Length) throw new ArgumentException($"dY and dX must hold at least the {x.Length} inputs.");
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pdy = ref MemoryMarshal.GetReference(dY);
        ref float pdx = ref MemoryMarshal.GetReference(dX);
        int n = x.Length;
        int i = width switch
        {
            SimdWidth.V512 => Backward512(ref px, ref pdy, ref pdx, n, accumulate),
            SimdWidth.V256 => Backward256(ref px, ref pdy, ref pdx, n, accumulate),
            SimdWidth.V128 => Backward128(ref px, ref pdy, ref pdx, n, accumulate),
            _ => 0,
        };
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref px, i);
            float erf = Erf.Of(v * InvSqrt2, out float gaussian);
            float grad = 0.5f * (1f + erf) + v * InvSqrt2Pi * gaussian;
            float dx = accumulate ? Unsafe.Add(ref pdx, i) : 0f;
            Unsafe.Add(ref pdx, i) = dx + grad * Unsafe.Add(ref pdy, i);
        }
    }

    private static int Forward512(ref float x, ref float y, int n)
    {
        int i = 0;
        var invSqrt2 = Vector512.Create(InvSqrt2); var half = Vector512.Create(0.5f);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)i);
            (v * (half * (Vector512<float>.One + Erf.Of(v * invSqrt2)))).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Forward256(ref float x, ref float y, int n)
    {
        int i = 0;
        var invSqrt2 = Vector256.Create(InvSqrt2); var half = Vector256.Create(0.5f);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)i);
            (v * (half * (Vector256<float>.One + Erf.Of(v * invSqrt2)))).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Forward128(ref float x, ref float y, int n)
    {
        int i = 0;
        var invSqrt2 = Vector128.Create(InvSqrt2); var half = Vector128.Create(0.5f);
        for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            var v = Vector128.LoadUnsafe(ref x, (nuint)i);
            (v * (half * (Vector128<float>.One + Erf.Of(v * invSqrt2)))).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Backward512(ref float x, ref float dy, ref float dx, int n, bool accumulate)
    {
        int i = 0;
        var invSqrt2 = Vector512.Create(InvSqrt2); var invSqrt2Pi = Vector512.Create(InvSqrt2Pi); var half = Vector512.Create(0.5f);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)i);
            var erf = Erf.Of(v * invSqrt2, out var gaussian);
            var grad = half * (Vector512<float>.One + erf) + v * invSqrt2Pi * gaussian;
            var acc = accumulate ? Vector512.LoadUnsafe(ref dx, (nuint)i) : Vector512<float>.Zero;
            (acc + grad * Vector512.LoadUnsafe(ref dy, (nuint)i)).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }

    private static int Backward256(ref float x, ref float dy, ref float dx, int n, bool accumulate)
    {
        int i = 0;
        var invSqrt2 = Vector256.Create(InvSqrt2); var invSqrt2Pi = Vector256.Create(InvSqrt2Pi); var half = Vector256.Create(0.5f);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)i);
            var erf = Erf.Of(v * invSqrt2, out var gaussian);
            var grad = half * (Vector256<float>.One + erf) + v * invSqrt2Pi * gaussian;
            var acc = accumulate ? Vector256.LoadUnsafe(ref dx, (nuint)i) : Vector256<float>.Zero;
            (acc + grad * Vector256.LoadUnsafe(ref dy, (nuint)i)).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }

    private static int Backward128(ref float x, ref float dy, ref float dx, int n, bool accumulate)
    {
        int i = 0;
        var invSqrt2 = Vector128.Create(InvSqrt2); var invSqrt2Pi = Vector128.Create(InvSqrt2Pi); var half = Vector128.Create(0.5f);
        for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            var v = Vector128.LoadUnsafe(ref x, (nuint)i);
            var erf = Erf.Of(v * invSqrt2, out var gaussian);
            var grad = half * (Vector128<float>.One + erf) + v * invSqrt2Pi * gaussian;
            var acc = accumulate ? Vector128.LoadUnsafe(ref dx, (nuint)i) : Vector128<float>.Zero;
            (acc + grad * Vector128.LoadUnsafe(ref dy, (nuint)i)).StoreUnsafe(ref dx, (nuint)i);
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
