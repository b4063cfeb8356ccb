using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Softmax over the last dimension of a (rows, n) matrix. A row that is entirely −∞ (every position
/// masked) gives zeros rather than NaN, so fully padded queries are harmless.
/// </summary>
public static class Softmax
{
    // x, y: (rows, n)
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n)
    {
        for (int r = 0; r < rows; r++) Row(x.Slice(r * n, n), y.Slice(r * n, n));
    }

    /// <summary>One row: y = exp(x − max) / Σ exp(x − max).</summary>
    public static void Row(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) { y.Clear(); return; }
        float sum = FastExp.ExpShifted(x, max, y);
        TensorPrimitives.Multiply(y, 1f / sum, y);
    }

    /// <summary>Accumulates dX += y ⊙ (dY − ⟨dY, y⟩) row by row. y: (rows, n).</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int n)
    {
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * n, n);
            var dyr = dY.Slice(r * n, n);
            var dxr = dX.Slice(r * n, n);
            float dot = TensorPrimitives.Dot(yr, dyr);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var d = Vector512.Create(dot);
                for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var acc = Vector512.Create(dxr.Slice(j, Vector512<float>.Count))
                        + Vector512.Create(yr.Slice(j, Vector512<float>.Count)) * (Vector512.Create(dyr.Slice(j, Vector512<float>.Count)) - d);
                    acc.CopyTo(dxr.Slice(j, Vector512<float>.Count));
                }
            }
            for (; j < n; j++) dxr[j] += yr[j] * (dyr[j] - dot);
        }
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
                for (int j = 0; j < n; j++) dX[r * n + j] += (float)(y[r * n + j] * (dY[r * n + j] - dot));
            }
        }
    }
}
