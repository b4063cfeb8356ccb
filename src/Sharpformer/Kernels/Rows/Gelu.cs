using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
public static class Gelu
{
    private const float TwoK0 = 2 * 0.7978845608028654f; // 2√(2/π)
    private const float K1 = 0.044715f;
    private const float K3 = 3 * K1;

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
        for (; i < n; i++) Unsafe.Add(ref py, i) = Value(Unsafe.Add(ref px, i));
    }

    /// <summary>dX += dY · GELU′(x), or dX = dY · GELU′(x) when <paramref name="accumulate"/> is false.</summary>
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
            float dx = accumulate ? Unsafe.Add(ref pdx, i) : 0f;
            Unsafe.Add(ref pdx, i) = dx + Derivative(Unsafe.Add(ref px, i)) * Unsafe.Add(ref pdy, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Value(float v) => v * Sigmoid.Of(TwoK0 * (v + K1 * v * v * v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Derivative(float v)
    {
        float v2 = v * v;
        float s = Sigmoid.Of(TwoK0 * (v + K1 * v2 * v), out float q); // q = e^{−2u}, so 1 − s = q·s
        float du = TwoK0 * (1f + K3 * v2);
        return s + v * du * (q * s * s);
    }

    private static int Forward512(ref float x, ref float y, int n)
    {
        int i = 0;
        var k0 = Vector512.Create(TwoK0); var k1 = Vector512.Create(K1);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)i);
            (v * Sigmoid.Of(k0 * (v + k1 * v * v * v))).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Forward256(ref float x, ref float y, int n)
    {
        int i = 0;
        var k0 = Vector256.Create(TwoK0); var k1 = Vector256.Create(K1);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)i);
            (v * Sigmoid.Of(k0 * (v + k1 * v * v * v))).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Forward128(ref float x, ref float y, int n)
    {
        int i = 0;
        var k0 = Vector128.Create(TwoK0); var k1 = Vector128.Create(K1);
        for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            var v = Vector128.LoadUnsafe(ref x, (nuint)i);
            (v * Sigmoid.Of(k0 * (v + k1 * v * v * v))).StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Backward512(ref float x, ref float dy, ref float dx, int n, bool accumulate)
    {
        int i = 0;
        var k0 = Vector512.Create(TwoK0); var k1 = Vector512.Create(K1); var k3 = Vector512.Create(K3);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)i);
            var v2 = v * v;
            var s = Sigmoid.Of(k0 * (v + k1 * v2 * v), out var q);
            var du = k0 * (Vector512<float>.One + k3 * v2);
            var grad = s + v * du * (q * s * s);
            var acc = accumulate ? Vector512.LoadUnsafe(ref dx, (nuint)i) : Vector512<float>.Zero;
            (acc + grad * Vector512.LoadUnsafe(ref dy, (nuint)i)).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }

    private static int Backward256(ref float x, ref float dy, ref float dx, int n, bool accumulate)
    {
        int i = 0;
        var k0 = Vector256.Create(TwoK0); var k1 = Vector256.Create(K1); var k3 = Vector256.Create(K3);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)i);
            var v2 = v * v;
            var s = Sigmoid.Of(k0 * (v + k1 * v2 * v), out var q);
            var du = k0 * (Vector256<float>.One + k3 * v2);
            var grad = s + v * du * (q * s * s);
            var acc = accumulate ? Vector256.LoadUnsafe(ref dx, (nuint)i) : Vector256<float>.Zero;
            (acc + grad * Vector256.LoadUnsafe(ref dy, (nuint)i)).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }

    private static int Backward128(ref float x, ref float dy, ref float dx, int n, bool accumulate)
    {
        int i = 0;
        var k0 = Vector128.Create(TwoK0); var k1 = Vector128.Create(K1); var k3 = Vector128.Create(K3);
        for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            var v = Vector128.LoadUnsafe(ref x, (nuint)i);
            var v2 = v * v;
            var s = Sigmoid.Of(k0 * (v + k1 * v2 * v), out var q);
            var du = k0 * (Vector128<float>.One + k3 * v2);
            var grad = s + v * du * (q * s * s);
            var acc = accumulate ? Vector128.LoadUnsafe(ref dx, (nuint)i) : Vector128<float>.Zero;
            (acc + grad * Vector128.LoadUnsafe(ref dy, (nuint)i)).StoreUnsafe(ref dx, (nuint)i);
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
