using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Softmax over the last dimension of a (rows, n) matrix. A row that is entirely −∞ (every position
/// masked) gives zeros rather than NaN, so fully padded queries are harmless. The exponentials run at the
/// width passed (the public entry points pass <see cref="Simd.Best"/>); the max, the scaling and the dot
/// product are TensorPrimitives', which picks its own width.
/// </summary>
public static class Softmax
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

    internal static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, int rows, int n, SimdWidth width)
    {
        Simd.Require(width);
        int size = checked(rows * n);
        if (y.Length < size || dY.Length < size || dX.Length < size)
            throw new ArgumentException($"Softmax backward needs {rows}×{n} values in y, dY and dX.");
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * n, n);
            var dyr = dY.Slice(r * n, n);
            var dxr = dX.Slice(r * n, n);
            float dot = TensorPrimitives.Dot(yr, dyr);
            ref float py = ref MemoryMarshal.GetReference(yr);
            ref float pdy = ref MemoryMarshal.GetReference(dyr);
            ref float pdx = ref MemoryMarshal.GetReference(dxr);
            int j = width switch
            {
                SimdWidth.V512 => Backward512(ref py, ref pdy, ref pdx, n, dot),
                SimdWidth.V256 => Backward256(ref py, ref pdy, ref pdx, n, dot),
                SimdWidth.V128 => Backward128(ref py, ref pdy, ref pdx, n, dot),
                _ => 0,
            };
            for (; j < n; j++) dxr[j] += yr[j] * (dyr[j] - dot);
        }
    }

    private static int Backward512(ref float y, ref float dy, ref float dx, int n, float dot)
    {
        int j = 0;
        var d = Vector512.Create(dot);
        for (; j <= n - Vector512<float>.Count; j += Vector512<float>.Count)
        {
            var acc = Vector512.LoadUnsafe(ref dx, (nuint)j) + Vector512.LoadUnsafe(ref y, (nuint)j) * (Vector512.LoadUnsafe(ref dy, (nuint)j) - d);
            acc.StoreUnsafe(ref dx, (nuint)j);
        }
        return j;
    }

    private static int Backward256(ref float y, ref float dy, ref float dx, int n, float dot)
    {
        int j = 0;
        var d = Vector256.Create(dot);
        for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
        {
            var acc = Vector256.LoadUnsafe(ref dx, (nuint)j) + Vector256.LoadUnsafe(ref y, (nuint)j) * (Vector256.LoadUnsafe(ref dy, (nuint)j) - d);
            acc.StoreUnsafe(ref dx, (nuint)j);
        }
        return j;
    }

    private static int Backward128(ref float y, ref float dy, ref float dx, int n, float dot)
    {
        int j = 0;
        var d = Vector128.Create(dot);
        for (; j <= n - Vector128<float>.Count; j += Vector128<float>.Count)
        {
            var acc = Vector128.LoadUnsafe(ref dx, (nuint)j) + Vector128.LoadUnsafe(ref y, (nuint)j) * (Vector128.LoadUnsafe(ref dy, (nuint)j) - d);
            acc.StoreUnsafe(ref dx, (nuint)j);
        }
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
