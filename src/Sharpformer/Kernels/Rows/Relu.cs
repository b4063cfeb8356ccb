using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// ReLU: y = max(x, 0); its gradient passes where x &gt; 0. The forward pass is TensorPrimitives' (it picks
/// its own width); the backward pass runs at the width passed, and where x ≤ 0 it leaves dX untouched (the
/// same bits as the scalar loop, at every width).
/// </summary>
internal static class Relu
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>Accumulates dX += dY where x &gt; 0.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX) => Backward(x, dY, dX, Simd.Best);

    internal static unsafe void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, SimdWidth width)
    {
        Simd.Require(width);
        if (dY.Length < x.Length || dX.Length < x.Length) throw new ArgumentException($"dY and dX must hold at least the {x.Length} inputs.");
        int n = x.Length;
        fixed (float* px = x, pdy = dY, pdx = dX)
        {
            int i = width switch
            {
                SimdWidth.V512 => Backward<Width512, Vector512<float>>(px, pdy, pdx, 0, n),
                SimdWidth.V256 => Backward<Width256, Vector256<float>>(px, pdy, pdx, 0, n),
                SimdWidth.V128 => Backward<Width128, Vector128<float>>(px, pdy, pdx, 0, n),
                _ => 0,
            };
            Backward<WidthScalar, float>(px, pdy, pdx, i, n);
        }
    }

    /// <summary>Whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>; returns where the tail starts.</summary>
    private static unsafe int Backward<TW, TV>(float* x, float* dy, float* dx, int i, int n) where TW : IVectorWidth<TV> where TV : struct
    {
        var zero = TW.Splat(0f);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var d = TW.Load(dx + i);
            var pass = TW.GreaterThan(TW.Load(x + i), zero);
            TW.Store(dx + i, TW.Select(pass, TW.Add(d, TW.Load(dy + i)), d));
        }
        return i;
    }
}
