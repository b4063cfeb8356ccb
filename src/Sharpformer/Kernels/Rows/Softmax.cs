using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Softmax over the last dimension of a (rows, n) matrix. A row that is entirely −∞ (every position
/// masked) gives zeros rather than NaN, so fully padded queries are harmless. The exponentials run at the
/// width passed (the public entry points pass <see cref="Simd.Best"/>); the max, the scaling and the dot
/// product are TensorPrimitives', which picks its own width.
/// </summary>
internal static class Softmax
{
    // x, y: (rows, n)
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n) => Forward(x, y, rows, n, Simd.Best);

    internal static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n, SimdWidth width)
    {
        for (int r = 0; r < rows; r++) Row(x.Slice(r * n, n), y.Slice(r * n, n), width);
    }

    /// <summary>One row: y = exp(x − max) / Σ exp(x − max). y may be x.</summary>
    public static void Row(ReadOnlySpan<float> x, Span<float> y) => Row(x, y, Simd.Best);

    internal static void Row(ReadOnlySpan<float> x, Span<float> y, SimdWidth width)
    {
        if (x.IsEmpty) return;
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) { y[..x.Length].Clear(); return; }
        float sum = FastExp.ExpShifted(x, max, y, width);
        TensorPrimitives.Multiply(y[..x.Length], 1f / sum, y[..x.Length]);
    }

    /// <summary>Accumulates dX += y ⊙ (dY − ⟨dY, y⟩) row by row. y: (rows, n).</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int n) =>
        Backward(y, dY, dX, rows, n, Simd.Best);

    internal static unsafe void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int n, SimdWidth width)
    {
        Simd.Require(width);
        int size = checked(rows * n);
        if (y.Length < size || dY.Length < size || dX.Length < size)
            throw new ArgumentException($"Softmax backward needs {rows}×{n} values in y, dY and dX.");
        fixed (float* py = y, pdy = dY, pdx = dX)
        {
            for (int r = 0; r < rows; r++)
            {
                int o = r * n;
                float dot = TensorPrimitives.Dot(y.Slice(o, n), dY.Slice(o, n));
                int j = width switch
                {
                    SimdWidth.V512 => Backward<Width512, Vector512<float>>(py + o, pdy + o, pdx + o, 0, n, dot),
                    SimdWidth.V256 => Backward<Width256, Vector256<float>>(py + o, pdy + o, pdx + o, 0, n, dot),
                    SimdWidth.V128 => Backward<Width128, Vector128<float>>(py + o, pdy + o, pdx + o, 0, n, dot),
                    _ => 0,
                };
                Backward<WidthScalar, float>(py + o, pdy + o, pdx + o, j, n, dot);
            }
        }
    }

    /// <summary>dX += y ⊙ (dY − dot) over whole vectors of <typeparamref name="TW"/> from <paramref name="j"/>; returns where the tail starts.</summary>
    private static unsafe int Backward<TW, TV>(float* y, float* dy, float* dx, int j, int n, float dot) where TW : IVectorWidth<TV> where TV : struct
    {
        var d = TW.Splat(dot);
        for (; j <= n - TW.Lanes; j += TW.Lanes)
            TW.Store(dx + j, TW.Add(TW.Load(dx + j), TW.Multiply(TW.Load(y + j), TW.Subtract(TW.Load(dy + j), d))));
        return j;
    }

    /// <summary>Plain loops in double: the oracle for tests.</summary>
    public static class Reference
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n)
        {
            for (int r = 0; r < rows; r++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < n; j++) max = Math.Max(max, x[r * n + j]);
                if (double.IsNegativeInfinity(max)) { y.Slice(r * n, n).Clear(); continue; }
                double sum = 0;
                for (int j = 0; j < n; j++) sum += Math.Exp(x[r * n + j] - max);
                for (int j = 0; j < n; j++) y[r * n + j] = (float)(Math.Exp(x[r * n + j] - max) / sum);
            }
        }

        public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int n)
        {
            for (int r = 0; r < rows; r++)
            {
                double dot = 0;
                for (int j = 0; j < n; j++) dot += (double)y[r * n + j] * dY[r * n + j];
                for (int j = 0; j < n; j++) dX[r * n + j] = (float)(dX[r * n + j] + y[r * n + j] * (dY[r * n + j] - dot));
            }
        }
    }
}
