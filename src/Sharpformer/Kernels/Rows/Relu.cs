using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// ReLU: y = max(x, 0); its gradient passes where x &gt; 0. The forward pass is TensorPrimitives' (it picks
/// its own width); the backward pass runs at the width passed, and where x ≤ 0 it leaves dX untouched (the
/// same bits as the scalar loop, at every width).
/// </summary>
public static class Relu
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>Accumulates dX += dY where x &gt; 0.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX) => Backward(x, dY, dX, Simd.Best);

    internal static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, SimdWidth width)
    {
        Simd.Require(width);
        if (dY.Length < x.Length || dX.Length < x.Length) throw new ArgumentException($"dY and dX must hold at least the {x.Length} inputs.");
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pdy = ref MemoryMarshal.GetReference(dY);
        ref float pdx = ref MemoryMarshal.GetReference(dX);
        int n = x.Length;
        int i = width switch
        {
            SimdWidth.V512 => Backward512(ref px, ref pdy, ref pdx, n),
            SimdWidth.V256 => Backward256(ref px, ref pdy, ref pdx, n),
            SimdWidth.V128 => Backward128(ref px, ref pdy, ref pdx, n),
            _ => 0,
        };
        for (; i < n; i++)
            if (Unsafe.Add(ref px, i) > 0) Unsafe.Add(ref pdx, i) += Unsafe.Add(ref pdy, i);
    }

    private static int Backward512(ref float x, ref float dy, ref float dx, int n)
    {
        int i = 0;
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var d = Vector512.LoadUnsafe(ref dx, (nuint)i);
            var pass = Vector512.GreaterThan(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512<float>.Zero);
            Vector512.ConditionalSelect(pass, d + Vector512.LoadUnsafe(ref dy, (nuint)i), d).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }

    private static int Backward256(ref float x, ref float dy, ref float dx, int n)
    {
        int i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var d = Vector256.LoadUnsafe(ref dx, (nuint)i);
            var pass = Vector256.GreaterThan(Vector256.LoadUnsafe(ref x, (nuint)i), Vector256<float>.Zero);
            Vector256.ConditionalSelect(pass, d + Vector256.LoadUnsafe(ref dy, (nuint)i), d).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }

    private static int Backward128(ref float x, ref float dy, ref float dx, int n)
    {
        int i = 0;
        for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            var d = Vector128.LoadUnsafe(ref dx, (nuint)i);
            var pass = Vector128.GreaterThan(Vector128.LoadUnsafe(ref x, (nuint)i), Vector128<float>.Zero);
            Vector128.ConditionalSelect(pass, d + Vector128.LoadUnsafe(ref dy, (nuint)i), d).StoreUnsafe(ref dx, (nuint)i);
        }
        return i;
    }
}
