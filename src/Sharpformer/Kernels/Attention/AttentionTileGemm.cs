using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// The small matrix products inside the attention kernels (tiles of about 64×64×hs), register-blocked on
/// <see cref="Vector512{T}"/>: 4 rows × 64 columns of C live in 16 accumulators while one row of B
/// (4 vectors) and four broadcast elements of A stream past. On hardware without 512-bit vectors the
/// runtime splits each operation into two 256-bit halves.
/// <para>A is addressed through two strides so one kernel serves A·B (row stride = lda, depth stride 1) and
/// Aᵀ·B (row stride 1, depth stride = lda) without a transpose. Column counts are multiples of 16: callers
/// pad the B operand and C with zero columns.</para>
/// </summary>
internal static unsafe class AttentionTileGemm
{
    public const int Lanes = 16;

    /// <summary>Rounds <paramref name="n"/> up to a whole number of vectors.</summary>
    public static int RoundUp(int n) => (n + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// C (rows × cols) = A (rows × depth) · B (depth × cols), or C += … when <paramref name="accumulate"/>.
    /// A(r, p) = a[r·aRowStride + p·aDepthStride]; B(p, c) = b[p·ldb + c]; C(r, c) = c[r·ldc + c].
    /// With <paramref name="rowScale"/> (and accumulate), C = diag(rowScale)·C + A·B: the online softmax
    /// rescales its running output inside the product instead of in a separate pass.
    /// </summary>
    public static void Multiply(int rows, int depth, int cols, float* a, int aRowStride, int aDepthStride,
        float* b, int ldb, float* c, int ldc, bool accumulate, float* rowScale = null)
    {
        Debug.Assert(cols % Lanes == 0);
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            float* ar = a + (nint)r * aRowStride;
            float* cr = c + (nint)r * ldc;
            int col = 0;
            for (; col + 4 * Lanes <= cols; col += 4 * Lanes)
                Block4x64(depth, ar, aRowStride, aDepthStride, b + col, ldb, cr + col, ldc, accumulate, rowScale == null ? null : rowScale + r);
            for (; col < cols; col += Lanes)
                Block4x16(depth, ar, aRowStride, aDepthStride, b + col, ldb, cr + col, ldc, accumulate, rowScale == null ? null : rowScale + r);
        }
        for (; r < rows; r++)
        {
            float* ar = a + (nint)r * aRowStride;
            float* cr = c + (nint)r * ldc;
            int col = 0;
            for (; col + 4 * Lanes <= cols; col += 4 * Lanes)
                Block1x64(depth, ar, aDepthStride, b + col, ldb, cr + col, accumulate, rowScale == null ? 1f : rowScale[r]);
            for (; col < cols; col += Lanes)
                Block1x16(depth, ar, aDepthStride, b + col, ldb, cr + col, accumulate, rowScale == null ? 1f : rowScale[r]);
        }
    }

    private static void Block4x64(int depth, float* a, int ars, int ads, float* b, int ldb, float* c, int ldc, bool accumulate, float* scale)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2 * (nint)ldc, c3 = c + 3 * (nint)ldc;
        Vector512<float> x00, x01, x02, x03, x10, x11, x12, x13, x20, x21, x22, x23, x30, x31, x32, x33;
        if (accumulate)
        {
            x00 = Vector512.Load(c0); x01 = Vector512.Load(c0 + 16); x02 = Vector512.Load(c0 + 32); x03 = Vector512.Load(c0 + 48);
            x10 = Vector512.Load(c1); x11 = Vector512.Load(c1 + 16); x12 = Vector512.Load(c1 + 32); x13 = Vector512.Load(c1 + 48);
            x20 = Vector512.Load(c2); x21 = Vector512.Load(c2 + 16); x22 = Vector512.Load(c2 + 32); x23 = Vector512.Load(c2 + 48);
            x30 = Vector512.Load(c3); x31 = Vector512.Load(c3 + 16); x32 = Vector512.Load(c3 + 32); x33 = Vector512.Load(c3 + 48);
            if (scale != null)
            {
                var s0 = Vector512.Create(scale[0]); var s1 = Vector512.Create(scale[1]);
                var s2 = Vector512.Create(scale[2]); var s3 = Vector512.Create(scale[3]);
                x00 *= s0; x01 *= s0; x02 *= s0; x03 *= s0; x10 *= s1; x11 *= s1; x12 *= s1; x13 *= s1;
                x20 *= s2; x21 *= s2; x22 *= s2; x23 *= s2; x30 *= s3; x31 *= s3; x32 *= s3; x33 *= s3;
            }
        }
        else
        {
            x00 = x01 = x02 = x03 = x10 = x11 = x12 = x13 = Vector512<float>.Zero;
            x20 = x21 = x22 = x23 = x30 = x31 = x32 = x33 = Vector512<float>.Zero;
        }
        float* a0 = a, a1 = a + ars, a2 = a + 2 * (nint)ars, a3 = a + 3 * (nint)ars;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48);
            var s = Vector512.Create(*a0);
            x00 = Vector512.FusedMultiplyAdd(s, b0, x00); x01 = Vector512.FusedMultiplyAdd(s, b1, x01);
            x02 = Vector512.FusedMultiplyAdd(s, b2, x02); x03 = Vector512.FusedMultiplyAdd(s, b3, x03);
            s = Vector512.Create(*a1);
            x10 = Vector512.FusedMultiplyAdd(s, b0, x10); x11 = Vector512.FusedMultiplyAdd(s, b1, x11);
            x12 = Vector512.FusedMultiplyAdd(s, b2, x12); x13 = Vector512.FusedMultiplyAdd(s, b3, x13);
            s = Vector512.Create(*a2);
            x20 = Vector512.FusedMultiplyAdd(s, b0, x20); x21 = Vector512.FusedMultiplyAdd(s, b1, x21);
            x22 = Vector512.FusedMultiplyAdd(s, b2, x22); x23 = Vector512.FusedMultiplyAdd(s, b3, x23);
            s = Vector512.Create(*a3);
            x30 = Vector512.FusedMultiplyAdd(s, b0, x30); x31 = Vector512.FusedMultiplyAdd(s, b1, x31);
            x32 = Vector512.FusedMultiplyAdd(s, b2, x32); x33 = Vector512.FusedMultiplyAdd(s, b3, x33);
            a0 += ads; a1 += ads; a2 += ads; a3 += ads; b += ldb;
        }
        x00.Store(c0); x01.Store(c0 + 16); x02.Store(c0 + 32); x03.Store(c0 + 48);
        x10.Store(c1); x11.Store(c1 + 16); x12.Store(c1 + 32); x13.Store(c1 + 48);
        x20.Store(c2); x21.Store(c2 + 16); x22.Store(c2 + 32); x23.Store(c2 + 48);
        x30.Store(c3); x31.Store(c3 + 16); x32.Store(c3 + 32); x33.Store(c3 + 48);
    }

    private static void Block4x16(int depth, float* a, int ars, int ads, float* b, int ldb, float* c, int ldc, bool accumulate, float* scale)
    {
        float* c0 = c, c1 = c + ldc, c2 = c + 2 * (nint)ldc, c3 = c + 3 * (nint)ldc;
        Vector512<float> x0, x1, x2, x3;
        if (accumulate)
        {
            x0 = Vector512.Load(c0); x1 = Vector512.Load(c1); x2 = Vector512.Load(c2); x3 = Vector512.Load(c3);
            if (scale != null) { x0 *= Vector512.Create(scale[0]); x1 *= Vector512.Create(scale[1]); x2 *= Vector512.Create(scale[2]); x3 *= Vector512.Create(scale[3]); }
        }
        else x0 = x1 = x2 = x3 = Vector512<float>.Zero;
        float* a0 = a, a1 = a + ars, a2 = a + 2 * (nint)ars, a3 = a + 3 * (nint)ars;
        for (int p = 0; p < depth; p++)
        {
            var bv = Vector512.Load(b);
            x0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a0), bv, x0);
            x1 = Vector512.FusedMultiplyAdd(Vector512.Create(*a1), bv, x1);
            x2 = Vector512.FusedMultiplyAdd(Vector512.Create(*a2), bv, x2);
            x3 = Vector512.FusedMultiplyAdd(Vector512.Create(*a3), bv, x3);
            a0 += ads; a1 += ads; a2 += ads; a3 += ads; b += ldb;
        }
        x0.Store(c0); x1.Store(c1); x2.Store(c2); x3.Store(c3);
    }

    private static void Block1x64(int depth, float* a, int ads, float* b, int ldb, float* c, bool accumulate, float scale)
    {
        Vector512<float> x0, x1, x2, x3;
        if (accumulate)
        {
            var sv = Vector512.Create(scale);
            x0 = Vector512.Load(c) * sv; x1 = Vector512.Load(c + 16) * sv; x2 = Vector512.Load(c + 32) * sv; x3 = Vector512.Load(c + 48) * sv;
        }
        else x0 = x1 = x2 = x3 = Vector512<float>.Zero;
        for (int p = 0; p < depth; p++)
        {
            var s = Vector512.Create(*a);
            x0 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b), x0);
            x1 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 16), x1);
            x2 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 32), x2);
            x3 = Vector512.FusedMultiplyAdd(s, Vector512.Load(b + 48), x3);
            a += ads; b += ldb;
        }
        x0.Store(c); x1.Store(c + 16); x2.Store(c + 32); x3.Store(c + 48);
    }

    private static void Block1x16(int depth, float* a, int ads, float* b, int ldb, float* c, bool accumulate, float scale)
    {
        var x = accumulate ? Vector512.Load(c) * Vector512.Create(scale) : Vector512<float>.Zero;
        for (int p = 0; p < depth; p++)
        {
            x = Vector512.FusedMultiplyAdd(Vector512.Create(*a), Vector512.Load(b), x);
            a += ads; b += ldb;
        }
        x.Store(c);
    }
}
