namespace Sharpformer.Kernels;

/// <summary>
/// Copies that put one head's Q, K, V or dO into the layouts the tile products want: rows padded to a
/// whole number of vectors, or transposed so keys run along a row. O(T·hs) work beside the O(T²·hs) products.
/// </summary>
internal static unsafe class AttentionPacking
{
    /// <summary>(T, hs) -> (T, paddedHs) with columns [hs, paddedHs) zero, every element times <paramref name="scale"/>.</summary>
    public static void PadRows(float* src, int rows, int hs, float* dst, int paddedHs, float scale)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = src + (nint)r * hs;
            float* d = dst + (nint)r * paddedHs;
            int c = 0;
            if (scale == 1f) for (; c < hs; c++) d[c] = s[c];
            else for (; c < hs; c++) d[c] = s[c] * scale;
            for (; c < paddedHs; c++) d[c] = 0f;
        }
    }

    /// <summary>(T, hs) -> (hs, paddedT) with columns [T, paddedT) zero.</summary>
    public static void Transpose(float* src, int rows, int hs, float* dst, int paddedRows)
    {
        // Blocks of 16 rows keep both the reads and the writes within a few cache lines.
        const int block = 16;
        for (int r0 = 0; r0 < rows; r0 += block)
        {
            int r1 = Math.Min(rows, r0 + block);
            for (int c = 0; c < hs; c++)
            {
                float* d = dst + (nint)c * paddedRows;
                for (int r = r0; r < r1; r++) d[r] = src[(nint)r * hs + c];
            }
        }
        for (int c = 0; c < hs; c++)
            for (int r = rows; r < paddedRows; r++) dst[(nint)c * paddedRows + r] = 0f;
    }

    /// <summary>(rows, paddedHs) -> (rows, hs), every element times <paramref name="scale"/>.</summary>
    public static void UnpadRows(float* src, int rows, int paddedHs, float* dst, int hs, float scale)
    {
        for (int r = 0; r < rows; r++)
        {
            float* s = src + (nint)r * paddedHs;
            float* d = dst + (nint)r * hs;
            for (int c = 0; c < hs; c++) d[c] = s[c] * scale;
        }
    }
}
