using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous panels the micro-kernels read (MR×NR tiles of the path
/// that runs: see <see cref="GemmBlocking"/>). B panels past the edge of the matrix are padded with zeros, so the
/// kernels always compute whole NR-wide tiles; A panels hold only the rows that exist, since every kernel stops at
/// the last row of a bottom tile. Every common case moves whole vectors of the widest accelerated width: a
/// non-transposed A panel is a copy of MR row segments, a transposed A panel a copy of MrStride contiguous values
/// per k, a non-transposed B is copied a row at a time into every panel, and a transposed B panel is turned round
/// 16×16 (AVX-512) or 8×8 (AVX) at a time in registers.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Non-transposed A: rows r &lt; <paramref name="rows"/> of the (rows, kc) block at <paramref name="a"/>
    /// (row stride lda) to dst[r·kcStride + p].
    /// </summary>
    public static void PackARowMajor(float* a, int lda, int rows, int kc, float* dst, int kcStride)
    {
        for (int r = 0; r < rows; r++)
            CopyRow(a + (long)r * lda, dst + (long)r * kcStride, kc);
    }

    // Inline vector copy: rows are short (often 32–256 floats), where a memmove call costs as much as the copy.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            for (; i <= count - 16; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
            // The last, overlapping vector covers the remainder.
            if (i < count) Vector512.Store(Vector512.Load(src + count - 16), dst + count - 16);
            return;
        }
        if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            for (; i <= count - 8; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
            if (i < count) Vector256.Store(Vector256.Load(src + count - 8), dst + count - 8);
            return;
        }
        if (Vector128.IsHardwareAccelerated && count >= 4)
        {
            for (; i <= count - 4; i += 4) Vector128.Store(Vector128.Load(src + i), dst + i);
            if (i < count) Vector128.Store(Vector128.Load(src + count - 4), dst + count - 4);
            return;
        }
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>dst[0, count) = src[0, count) for a count that is a multiple of 4, in the widest vectors that divide it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyWhole(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= count; i += 4) Vector128.Store(Vector128.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// Transposed A for <paramref name="rows"/> consecutive rows of op(A), a row tile of <paramref name="mr"/> rows after
    /// another: op(A)(t·MR + r, p) = a[p·lda + t·MR + r] to dst[t·panelStride + p·mrStride + r].
    /// Each stored row is visited once for all the tiles: its values are contiguous, while successive k
    /// steps are a stride of lda apart and, for a power-of-two lda, fall into the same few cache sets,
    /// so visiting them once per tile would read every line from farther out several times.
    /// A full tile whose mrStride values from a + p·lda + t·MR lie within <paramref name="readableColumns"/> is one
    /// vector copy per k (the extra lanes land in padding the kernel never reads).
    /// </summary>
    public static void PackAKMajor(float* a, int lda, int rows, int kc, float* dst, int panelStride, int readableColumns, int mr, int mrStride)
    {
        int tiles = (rows + mr - 1) / mr;
        int vectorTiles = 0;
        if (Vector128.IsHardwareAccelerated)
            while (vectorTiles < rows / mr && vectorTiles * mr + mrStride <= readableColumns) vectorTiles++;
        if (vectorTiles > 0)
        {
            // Every k step is a different row of the stored matrix, usually a different page, where the
            // hardware prefetcher does not follow: fetch 16 steps ahead (prefetches never fault).
            long ahead = 16L * lda;
            int lastColumn = (vectorTiles - 1) * mr + mrStride - 1;
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)p * lda;
                for (int j = 0; j < lastColumn; j += 16) Simd.Prefetch(src + ahead + j);
                Simd.Prefetch(src + ahead + lastColumn);
                float* row = dst + p * mrStride;
                for (int t = 0; t < vectorTiles; t++)
                    CopyWhole(src + t * mr, row + (long)t * panelStride, mrStride);
            }
        }
        for (int t = vectorTiles; t < tiles; t++)
        {
            int tileRows = Math.Min(mr, rows - t * mr);
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (long)p * lda + t * mr;
                float* row = dst + (long)t * panelStride + p * mrStride;
                for (int r = 0; r < tileRows; r++) row[r] = src[r];
            }
        }
    }

    /// <summary>
    /// Non-transposed B, <paramref name="rows"/> rows of a block <paramref name="nc"/> columns wide:
    /// op(B)(p, j) = b[p·ldb + j] to dst[(j / nr)·panelStride + p·nr + j % nr], every panel at once.
    /// Columns past <paramref name="nc"/> in the last panel are zeroed.
    /// </summary>
    public static void PackBRows(float* b, int ldb, int nc, int rows, float* dst, long panelStride, int nr)
    {
        // The panel width is a constant of each copy, so a row segment is two or four whole vectors with no loop:
        // a 64×64 attention head's B is 128 such segments, and a counted copy loop there cost a tenth of the product.
        switch (nr)
        {
            case 32: PackBRows<Panel32>(b, ldb, nc, rows, dst, panelStride); break;
            case 16: PackBRows<Panel16>(b, ldb, nc, rows, dst, panelStride); break;
            case 4: PackBRows<Panel4>(b, ldb, nc, rows, dst, panelStride); break;
            default: throw new ArgumentOutOfRangeException(nameof(nr), nr, "no B panel copy of this width");
        }
    }

    private static void PackBRows<TPanel>(float* b, int ldb, int nc, int rows, float* dst, long panelStride) where TPanel : IPanelCopy
    {
        int nr = TPanel.Width;
        int fullPanels = nc / nr;
        int tail = nc - fullPanels * nr;
        for (int p = 0; p < rows; p++)
        {
            float* src = b + (long)p * ldb;
            // Each row is a short run (nc floats) a stride of ldb from the last, which the hardware
            // prefetcher picks up too late: ask for the row four ahead (prefetches never fault, so
            // running past the last row is harmless).
            float* ahead = src + 4L * ldb;
            for (int j = 0; j < nc; j += 16) Simd.Prefetch(ahead + j);
            float* row = dst + p * nr;
            for (int jr = 0; jr < fullPanels; jr++)
                TPanel.Copy(src + jr * nr, row + jr * panelStride);
            if (tail > 0)
            {
                float* target = row + fullPanels * panelStride;
                int j = 0;
                for (; j < tail; j++) target[j] = src[fullPanels * nr + j];
                for (; j < nr; j++) target[j] = 0f;
            }
        }
    }

    /// <summary>A copy of one B panel row of <see cref="Width"/> floats, in the widest accelerated vectors.</summary>
    private interface IPanelCopy
    {
        static abstract int Width { get; }
        static abstract void Copy(float* src, float* dst);
    }

    private struct Panel32 : IPanelCopy
    {
        public static int Width => 32;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(float* src, float* dst)
        {
            Panel16.Copy(src, dst);
            Panel16.Copy(src + 16, dst + 16);
        }
    }

    private struct Panel16 : IPanelCopy
    {
        public static int Width => 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(float* src, float* dst)
        {
            if (Vector512.IsHardwareAccelerated) Vector512.Store(Vector512.Load(src), dst);
            else if (Vector256.IsHardwareAccelerated)
            {
                Vector256.Store(Vector256.Load(src), dst);
                Vector256.Store(Vector256.Load(src + 8), dst + 8);
            }
            else
            {
                Panel4.Copy(src, dst);
                Panel4.Copy(src + 4, dst + 4);
                Panel4.Copy(src + 8, dst + 8);
                Panel4.Copy(src + 12, dst + 12);
            }
        }
    }

    private struct Panel4 : IPanelCopy
    {
        public static int Width => 4;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(float* src, float* dst)
        {
            if (Vector128.IsHardwareAccelerated) Vector128.Store(Vector128.Load(src), dst);
            else
                for (int i = 0; i < 4; i++) dst[i] = src[i];
        }
    }

    /// <summary>Transposed B: op(B)(p, j) = b[j·ldb + p] for j &lt; cols to dst[p·nr + j], zeros for cols ≤ j &lt; nr.</summary>
    public static void PackBTransposed(float* b, int ldb, int cols, int kc, float* dst, int nr)
    {
        // Square blocks turned round in registers: 16×16 with AVX-512, 8×8 with AVX, 4×4 with NEON; the rest one value at a time.
        int size = Avx512F.IsSupported && nr % 16 == 0 ? 16 : Avx.IsSupported && nr % 8 == 0 ? 8 : AdvSimd.Arm64.IsSupported && nr % 4 == 0 ? 4 : 0;
        int p0 = 0;
        if (size > 0)
        {
            int fullGroups = cols / size;
            int kcBlocks = kc - kc % size;
            for (int g = 0; g < fullGroups; g++)
            for (int p = 0; p < kcBlocks; p += size)
            {
                float* src = b + (long)g * size * ldb + p;
                float* target = dst + p * nr + g * size;
                if (size == 16) Transpose16x16(src, ldb, target, nr);
                else if (size == 8) Transpose8x8(src, ldb, target, nr);
                else Transpose4x4(src, ldb, target, nr);
            }
            // Columns of a partial group, and the k remainder, go one value at a time.
            if (fullGroups * size < nr) CopyTransposed(b, ldb, size * fullGroups, cols, nr, 0, kcBlocks, dst);
            p0 = kcBlocks;
        }
        CopyTransposed(b, ldb, 0, cols, nr, p0, kc, dst);
    }

    private static void CopyTransposed(float* b, int ldb, int jFrom, int cols, int nr, int pFrom, int pTo, float* dst)
    {
        for (int p = pFrom; p < pTo; p++)
        {
            float* row = dst + p * nr;
            int j = jFrom;
            for (; j < cols; j++) row[j] = b[(long)j * ldb + p];
            for (; j < nr; j++) row[j] = 0f;
        }
    }

    /// <summary>dst[p·dstStride + j] = src[j·srcStride + p] for a 4×4 block, in registers (NEON trn1/trn2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* src, int srcStride, float* dst, int dstStride)
    {
        Vector128<float> r0 = Vector128.Load(src), r1 = Vector128.Load(src + srcStride);
        Vector128<float> r2 = Vector128.Load(src + 2L * srcStride), r3 = Vector128.Load(src + 3L * srcStride);
        // Pairs of rows interleaved 32 bits at a time, then 64 bits at a time.
        Vector128<ulong> t0 = AdvSimd.Arm64.TransposeEven(r0, r1).AsUInt64(), t1 = AdvSimd.Arm64.TransposeOdd(r0, r1).AsUInt64();
        Vector128<ulong> t2 = AdvSimd.Arm64.TransposeEven(r2, r3).AsUInt64(), t3 = AdvSimd.Arm64.TransposeOdd(r2, r3).AsUInt64();
        Vector128.Store(AdvSimd.Arm64.TransposeEven(t0, t2).AsSingle(), dst);
        Vector128.Store(AdvSimd.Arm64.TransposeEven(t1, t3).AsSingle(), dst + dstStride);
        Vector128.Store(AdvSimd.Arm64.TransposeOdd(t0, t2).AsSingle(), dst + 2 * dstStride);
        Vector128.Store(AdvSimd.Arm64.TransposeOdd(t1, t3).AsSingle(), dst + 3 * dstStride);
    }

    /// <summary>dst[p·dstStride + j] = src[j·srcStride + p] for an 8×8 block, in registers (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int srcStride, float* dst, int dstStride)
    {
        Vector256<float> r0 = Load(0), r1 = Load(1), r2 = Load(2), r3 = Load(3), r4 = Load(4), r5 = Load(5), r6 = Load(6), r7 = Load(7);
        // Interleave pairs of rows 32 bits at a time, then pick 64-bit pairs: within each 128-bit lane a vector
        // then holds a 4×4 sub-block in column order; the lanes are swapped last.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Store(0, Avx.Permute2x128(u0, u4, 0x20)); Store(1, Avx.Permute2x128(u1, u5, 0x20));
        Store(2, Avx.Permute2x128(u2, u6, 0x20)); Store(3, Avx.Permute2x128(u3, u7, 0x20));
        Store(4, Avx.Permute2x128(u0, u4, 0x31)); Store(5, Avx.Permute2x128(u1, u5, 0x31));
        Store(6, Avx.Permute2x128(u2, u6, 0x31)); Store(7, Avx.Permute2x128(u3, u7, 0x31));

        Vector256<float> Load(int row) => Vector256.Load(src + (long)row * srcStride);
        void Store(int row, Vector256<float> v) => Vector256.Store(v, dst + row * dstStride);
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
