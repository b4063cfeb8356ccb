using System.Numerics.Tensors;

namespace Sharpformer.Kernels;

/// <summary>
/// Copies that put one head's Q, K, V or dO into the layouts the tile products want: rows padded to a
/// whole number of vectors, or transposed so keys run along a row. O(T·hs) work beside the O(T²·hs) products.
/// </summary>
internal static unsafe class AttentionPacking
{
    /// <summary>
    /// Work of one packed element for <see cref="Parallelism"/>, in flops of the tile products: a transposed element
    /// (a load and a store, about 0.4 ns with AVX2 on Zen 5) costs about what eight of their flops do.
    /// </summary>
    public const long WorkPerElement = 8;

    /// <summary>(T, hs) -> (T, paddedHs) with columns [hs, paddedHs) zero, every element times <paramref name="scale"/>.</summary>
    public static void PadRows(float* src, int rows, int hs, float* dst, int paddedHs, float scale)
    {
        if (paddedHs == hs)
        {
            ScaleCopy(src, (nint)rows * hs, dst, scale);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            float* d = dst + (nint)r * paddedHs;
            ScaleCopy(src + (nint)r * hs, hs, d, scale);
            new Span<float>(d + hs, paddedHs - hs).Clear();
        }
    }

    /// <summary>dst[i] = scale · src[i] for i in [0, n): a plain copy when the scale is 1. Exact elementwise work, so
    /// the vectors TensorPrimitives picks for the machine give the same bits as any other width.</summary>
    public static void ScaleCopy(float* src, nint n, float* dst, float scale)
    {
        var from = new ReadOnlySpan<float>(src, checked((int)n));
        var to = new Span<float>(dst, (int)n);
        if (scale == 1f) from.CopyTo(to);
        else TensorPrimitives.Multiply(from, scale, to);
    }

    /// <summary>Floats of <see cref="TransposeTiles(float*, int, int, float*, int)"/>'s output: whole tiles of (hs, tileWidth).</summary>
    public static long TiledSize(int rows, int hs, int tileWidth) => TiledSize(rows, hs, tileWidth, tileWidth);

    /// <summary>Floats of <see cref="TransposeTiles(float*, int, int, float*, int, int)"/>'s output.</summary>
    public static long TiledSize(int rows, int hs, int tileRows, int tileWidth) => (long)((rows + tileRows - 1) / tileRows) * hs * tileWidth;

    /// <summary>
    /// (T, hs) -> tiles of (hs, tileWidth): tile t holds rows [t·w, t·w + w) transposed, rows past T as zeros.
    /// Keeping each tile contiguous (rather than one (hs, T) matrix) means the score product walks 16 KiB
    /// without a large power-of-two stride, which would map every row of the tile to the same cache sets.
    /// </summary>
    public static void TransposeTiles(float* src, int rows, int hs, float* dst, int tileWidth) => TransposeTiles(src, rows, hs, dst, tileWidth, tileWidth);

    /// <summary>
    /// (T, hs) -> tiles of (hs, tileWidth) that each hold <paramref name="tileRows"/> ≤ tileWidth rows transposed,
    /// the remaining columns zero: tiles of any row count whose width is a whole number of vectors.
    /// </summary>
    public static void TransposeTiles(float* src, int rows, int hs, float* dst, int tileRows, int tileWidth)
    {
        for (int t0 = 0; t0 < rows; t0 += tileRows)
        {
            float* tile = dst + (long)(t0 / tileRows) * hs * tileWidth;
            int count = Math.Min(tileRows, rows - t0);
            float* s = src + (nint)t0 * hs;
            // Each tile row is written in order (strided loads, sequential stores: a store per element to a new
            // cache line costs far more than a load).
            for (int c = 0; c < hs; c++)
            {
                float* d = tile + (nint)c * tileWidth;
                for (int r = 0; r < count; r++) d[r] = s[(nint)r * hs + c];
                for (int r = count; r < tileWidth; r++) d[r] = 0f;
            }
        }
    }

    /// <summary>The tile of <see cref="TransposeTiles(float*, int, int, float*, int)"/>'s output that starts at row <paramref name="row"/>.</summary>
    public static float* Tile(float* tiles, int row, int hs, int tileWidth) => tiles + (long)(row / tileWidth) * hs * tileWidth;

    /// <summary>
    /// Rows of src (·, hs) at <paramref name="indices"/> [0, count) -> (rows, paddedHs), every element times
    /// <paramref name="scale"/>; columns [hs, paddedHs) and rows [count, rows) zero.
    /// </summary>
    public static void GatherRows(float* src, int hs, int* indices, int count, float* dst, int rows, int paddedHs, float scale)
    {
        for (int r = 0; r < count; r++) PadRows(src + (nint)indices[r] * hs, 1, hs, dst + (nint)r * paddedHs, paddedHs, scale);
        new Span<float>(dst + (nint)count * paddedHs, (rows - count) * paddedHs).Clear();
    }

    /// <summary>
    /// Rows of src (·, hs) at <paramref name="indices"/> [0, count), transposed: dst (hs, width) with column c
    /// holding row indices[c] and columns [count, width) zero.
    /// </summary>
    public static void GatherTransposed(float* src, int hs, int* indices, int count, float* dst, int width)
    {
        for (int c = 0; c < count; c++)
        {
            float* s = src + (nint)indices[c] * hs;
            for (int d = 0; d < hs; d++) dst[(nint)d * width + c] = s[d];
        }
        for (int d = 0; d < hs; d++) new Span<float>(dst + (nint)d * width + count, width - count).Clear();
    }

    /// <summary>Row indices[r] of dst (·, hs) += scale · row r of src (count, paddedHs), for r in [0, count) in order.</summary>
    public static void ScatterAddRows(SimdWidth width, float* src, int paddedHs, int* indices, int count, float* dst, int hs, float scale)
    {
        for (int r = 0; r < count; r++) AttentionMath.AddScaled(width, dst + (nint)indices[r] * hs, src + (nint)r * paddedHs, hs, scale);
    }

    /// <summary>(rows, paddedHs) -> (rows, hs), every element times <paramref name="scale"/>.</summary>
    public static void UnpadRows(float* src, int rows, int paddedHs, float* dst, int hs, float scale)
    {
        if (paddedHs == hs)
        {
            ScaleCopy(src, (nint)rows * hs, dst, scale);
            return;
        }
        for (int r = 0; r < rows; r++) ScaleCopy(src + (nint)r * paddedHs, hs, dst + (nint)r * hs, scale);
    }
}
