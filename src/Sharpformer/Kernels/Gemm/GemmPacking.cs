using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous panels the micro-kernels read. Panels past the
/// edge of the matrix are padded with zeros, so the kernels always compute whole 14×32 tiles.
/// Every common case moves whole vectors: a non-transposed A panel is a copy of 14 row segments, a
/// transposed A panel a copy of 14 contiguous values per k, a non-transposed B is copied a row at a time
/// into every panel (two vectors per panel), and a transposed B panel is turned round 16×16 at a time in registers.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int MR = GemmBlocking.MR, NR = GemmBlocking.NR;

    /// <summary>
    /// Non-transposed A: rows r &lt; <paramref name="rows"/> of the (rows, kc) block at <paramref name="a"/>
    /// (row stride lda) to dst[r·KcStride + p].
    /// </summary>
    /// <remarks>Rows past <paramref name="rows"/> are zeroed only when <paramref name="padRows"/>: a kernel compiled for fewer rows never reads them.</remarks>
    public static void PackARowMajor(float* a, int lda, int rows, int kc, float* dst, bool padRows)
    {
        for (int r = 0; r < rows; r++)
            CopyRow(a + (long)r * lda, dst + r * GemmBlocking.KcStride, kc);
        if (padRows)
            for (int r = rows; r < MR; r++)
                new Span<float>(dst + r * GemmBlocking.KcStride, kc).Clear();
    }

    // Inline vector copy: rows are short (often 32–256 floats), where a memmove call costs as much as the copy.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* src, float* dst, int count)
    {
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            int i = 0;
            for (; i <= count - 16; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
            // The last, overlapping vector covers the remainder.
            if (i < count) Vector512.Store(Vector512.Load(src + count - 16), dst + count - 16);
            return;
        }
        for (int i = 0; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// Transposed A for <paramref name="rows"/> consecutive rows of op(A), a row tile of MR rows after
    /// another: op(A)(t·MR + r, p) = a[p·lda + t·MR + r] to dst[t·panelStride + p·MrStride + r].
    /// Each stored row is visited once for all the tiles: its values are contiguous, while successive k
    /// steps are a stride of lda apart and, for a power-of-two lda, fall into the same few cache sets,
    /// so visiting them once per tile would read every line from farther out several times.
    /// A full tile whose 16 values from a + p·lda + t·MR lie within <paramref name="readableColumns"/> is one
    /// vector copy per k (the two extra lanes land in padding the kernel never reads).
    /// </summary>
    public static void PackAKMajor(float* a, int lda, int rows, int kc, float* dst, int panelStride, int readableColumns)
    {
        const int Stride = GemmBlocking.MrStride;
        int tiles = (rows + MR - 1) / MR;
        int vectorTiles = 0;
        if (Vector512.IsHardwareAccelerated)
            while (vectorTiles < rows / MR && vectorTiles * MR + 16 <= readableColumns) vectorTiles++;
        if (vectorTiles > 0)
        {
            // Every k step is a different row of the stored matrix, usually a different page, where the
            // hardware prefetcher does not follow: fetch 16 steps ahead (prefetches never fault).
            long ahead = 16L * lda;
            int lastColumn = vectorTiles * MR + 1;
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)p * lda;
                for (int j = 0; j < lastColumn; j += 16) Sse.Prefetch0(src + ahead + j);
                Sse.Prefetch0(src + ahead + lastColumn);
                float* row = dst + p * Stride;
                for (int t = 0; t < vectorTiles; t++)
                    Vector512.Store(Vector512.Load(src + t * MR), row + (long)t * panelStride);
            }
        }
        for (int t = vectorTiles; t < tiles; t++)
        {
            int tileRows = Math.Min(MR, rows - t * MR);
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)p * lda + t * MR;
                float* row = dst + (long)t * panelStride + p * Stride;
                int r = 0;
                for (; r < tileRows; r++) row[r] = src[r];
                for (; r < MR; r++) row[r] = 0f;
            }
        }
    }

    /// <summary>
    /// Non-transposed B, <paramref name="rows"/> rows of a block <paramref name="nc"/> columns wide:
    /// op(B)(p, j) = b[p·ldb + j] to dst[(j / NR)·panelStride + p·NR + j % NR], every panel at once.
    /// Columns past <paramref name="nc"/> in the last panel are zeroed.
    /// </summary>
    public static void PackBRows(float* b, int ldb, int nc, int rows, float* dst, long panelStride)
    {
        int fullPanels = nc / NR;
        int tail = nc - fullPanels * NR;
        for (int p = 0; p < rows; p++)
        {
            float* src = b + (long)p * ldb;
            // Each row is a short run (nc floats) a stride of ldb from the last, which the hardware
            // prefetcher picks up too late: ask for the row four ahead (prefetches never fault, so
            // running past the last row is harmless).
            float* ahead = src + 4L * ldb;
            if (Sse.IsSupported)
                for (int j = 0; j < nc; j += 16) Sse.Prefetch0(ahead + j);
            float* row = dst + p * NR;
            int jr = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; jr < fullPanels; jr++)
                {
                    float* target = row + jr * panelStride;
                    Vector512.Store(Vector512.Load(src + jr * NR), target);
                    Vector512.Store(Vector512.Load(src + jr * NR + 16), target + 16);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; jr < fullPanels; jr++)
                for (int j = 0; j < NR; j += 8)
                    Vector256.Store(Vector256.Load(src + jr * NR + j), row + jr * panelStride + j);
            }
            for (; jr < fullPanels; jr++)
            for (int j = 0; j < NR; j++)
                row[jr * panelStride + j] = src[jr * NR + j];
            if (tail > 0)
            {
                float* target = row + fullPanels * panelStride;
                int j = 0;
                for (; j < tail; j++) target[j] = src[fullPanels * NR + j];
                for (; j < NR; j++) target[j] = 0f;
            }
        }
    }

    /// <summary>Transposed B: op(B)(p, j) = b[j·ldb + p] for j &lt; cols to dst[p·NR + j].</summary>
    public static void PackBTransposed(float* b, int ldb, int cols, int kc, float* dst)
    {
        int p0 = 0;
        if (Avx512F.IsSupported)
        {
            int fullHalves = cols / 16;
            int kc16 = kc & ~15;
            for (int half = 0; half < fullHalves; half++)
            for (int p = 0; p < kc16; p += 16)
                Transpose16x16(b + (long)half * 16 * ldb + p, ldb, dst + p * NR + half * 16, NR);
            // Columns of a partial half, and the k remainder, go one value at a time.
            if (fullHalves == 2) p0 = kc16;
            else CopyTransposed(b, ldb, 16 * fullHalves, cols, 0, kc16, dst);
        }
        CopyTransposed(b, ldb, 0, cols, p0, kc, dst);
    }

    private static void CopyTransposed(float* b, int ldb, int jFrom, int cols, int pFrom, int pTo, float* dst)
    {
        for (int p = pFrom; p < pTo; p++)
        {
            float* row = dst + p * NR;
            int j = jFrom;
            for (; j < cols; j++) row[j] = b[(long)j * ldb + p];
            for (; j < NR; j++) row[j] = 0f;
        }
    }

    /// <summary>dst[p·dstStride + j] = src[j·srcStride + p] for a 16×16 block, in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(float* src, int srcStride, float* dst, int dstStride)
    {
        Vector512<float> r0 = Load(0), r1 = Load(1), r2 = Load(2), r3 = Load(3), r4 = Load(4), r5 = Load(5), r6 = Load(6), r7 = Load(7);
        Vector512<float> r8 = Load(8), r9 = Load(9), r10 = Load(10), r11 = Load(11), r12 = Load(12), r13 = Load(13), r14 = Load(14), r15 = Load(15);

        // Interleave pairs of rows 32 bits at a time, then 64 bits at a time: within each 128-bit lane
        // a vector then holds a 4×4 sub-block in column order.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        r0 = Low64(t0, t2); r1 = High64(t0, t2); r2 = Low64(t1, t3); r3 = High64(t1, t3);
        r4 = Low64(t4, t6); r5 = High64(t4, t6); r6 = Low64(t5, t7); r7 = High64(t5, t7);
        r8 = Low64(t8, t10); r9 = High64(t8, t10); r10 = Low64(t9, t11); r11 = High64(t9, t11);
        r12 = Low64(t12, t14); r13 = High64(t12, t14); r14 = Low64(t13, t15); r15 = High64(t13, t15);

        // Move 128-bit lanes: first gather lanes {0,2} and {1,3} of row groups 0–3 / 4–7, then of 0–7 / 8–15.
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);

        Store(0, Avx512F.Shuffle4x128(t0, t8, 0x88)); Store(1, Avx512F.Shuffle4x128(t1, t9, 0x88));
        Store(2, Avx512F.Shuffle4x128(t2, t10, 0x88)); Store(3, Avx512F.Shuffle4x128(t3, t11, 0x88));
        Store(4, Avx512F.Shuffle4x128(t4, t12, 0x88)); Store(5, Avx512F.Shuffle4x128(t5, t13, 0x88));
        Store(6, Avx512F.Shuffle4x128(t6, t14, 0x88)); Store(7, Avx512F.Shuffle4x128(t7, t15, 0x88));
        Store(8, Avx512F.Shuffle4x128(t0, t8, 0xDD)); Store(9, Avx512F.Shuffle4x128(t1, t9, 0xDD));
        Store(10, Avx512F.Shuffle4x128(t2, t10, 0xDD)); Store(11, Avx512F.Shuffle4x128(t3, t11, 0xDD));
        Store(12, Avx512F.Shuffle4x128(t4, t12, 0xDD)); Store(13, Avx512F.Shuffle4x128(t5, t13, 0xDD));
        Store(14, Avx512F.Shuffle4x128(t6, t14, 0xDD)); Store(15, Avx512F.Shuffle4x128(t7, t15, 0xDD));

        Vector512<float> Load(int row) => Vector512.Load(src + (long)row * srcStride);
        void Store(int row, Vector512<float> v) => Vector512.Store(v, dst + row * dstStride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Low64(Vector512<float> x, Vector512<float> y) =>
        Avx512F.UnpackLow(x.AsDouble(), y.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> High64(Vector512<float> x, Vector512<float> y) =>
        Avx512F.UnpackHigh(x.AsDouble(), y.AsDouble()).AsSingle();
}
