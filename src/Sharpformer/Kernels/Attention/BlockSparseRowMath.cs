using System.Numerics.Tensors;

namespace Sharpformer.Kernels;

/// <summary>Row operations of the sparse attention kernels on raw pointers, vectorised by TensorPrimitives.</summary>
internal static unsafe class SparseRowMath
{
    /// <summary>Σ a[c]·b[c] over c in [0, n).</summary>
    public static float Dot(float* a, float* b, int n) => TensorPrimitives.Dot(new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n));

    /// <summary>dst[c] += s·src[c] for c in [0, n).</summary>
    public static void AddScaled(float* dst, float* src, int n, float s)
    {
        var d = new Span<float>(dst, n);
        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(src, n), s, d, d);
    }

    /// <summary>row[c] *= s for c in [0, n).</summary>
    public static void Scale(float* row, int n, float s)
    {
        var r = new Span<float>(row, n);
        TensorPrimitives.Multiply(r, s, r);
    }

    /// <summary>Copies keyLengths (or Tk for every batch item) into a reusable array.</summary>
    public static void CopyKeyLengths(ref int[] target, ReadOnlySpan<int> keyLengths, in AttentionShape shape)
    {
        if (target.Length < shape.Batch) target = new int[shape.Batch];
        for (int b = 0; b < shape.Batch; b++) target[b] = shape.KeyLengthOf(keyLengths, b);
    }
}
