using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// The small matrix products inside the attention kernels (tiles of about 64×64×hs), register-blocked at each
/// vector width: C is walked in blocks of <see cref="IAttentionWidth{TV}.TileRows"/> rows by
/// <see cref="IAttentionWidth{TV}.TileVectors"/> vectors whose accumulators stay in registers while one row of B
/// and one broadcast element of A per row stream past (<see cref="AttentionTileBlock"/>). AVX-512 blocks are 4 × 64
/// floats, AVX2 6 × 16, ARM64 6 × 16 (4 q registers a row); the last rows take a block of fewer rows.
/// <para>A is addressed through two strides so one kernel serves A·B (row stride = lda, depth stride 1) and
/// Aᵀ·B (row stride 1, depth stride = lda) without a transpose. Column counts are multiples of 16 (the tile
/// geometry every width shares): callers pad the B operand and C with zero columns.</para>
/// </summary>
internal static unsafe class AttentionTileGemm
{
    /// <summary>Columns of the tile geometry: B and C are padded to a multiple of this, whatever the vector width.</summary>
    public const int Lanes = 16;

    /// <summary>Rounds <paramref name="n"/> up to a whole number of 16-float tiles.</summary>
    public static int RoundUp(int n) => (n + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// C (rows × cols) = A (rows × depth) · B (depth × cols), or C += … when <paramref name="accumulate"/>, at vector
    /// width <paramref name="width"/>. A(r, p) = a[r·aRowStride + p·aDepthStride]; B(p, c) = b[p·ldb + c];
    /// C(r, c) = c[r·ldc + c]. With <paramref name="rowScale"/> (and accumulate), C = diag(rowScale)·C + A·B: the
    /// online softmax rescales its running output inside the product instead of in a separate pass.
    /// <para>With a <paramref name="band"/> (a causal mask), each block of rows skips the columns or the depth the
    /// mask hides from all of its rows; see <see cref="CausalBand"/> for what is then left unwritten.</para>
    /// </summary>
    public static void Multiply(SimdWidth width, int rows, int depth, int cols, float* a, int aRowStride, int aDepthStride,
        float* b, int ldb, float* c, int ldc, bool accumulate, float* rowScale = null, CausalBand band = default)
    {
        Debug.Assert(cols % Lanes == 0);
        switch (width)
        {
            case SimdWidth.V512:
                Multiply<Width512, Vector512<float>>(rows, depth, cols, a, aRowStride, aDepthStride, b, ldb, c, ldc, accumulate, rowScale, band);
                break;
            case SimdWidth.V256:
                Multiply<Width256, Vector256<float>>(rows, depth, cols, a, aRowStride, aDepthStride, b, ldb, c, ldc, accumulate, rowScale, band);
                break;
            case SimdWidth.V128:
                Multiply<Width128, Vector128<float>>(rows, depth, cols, a, aRowStride, aDepthStride, b, ldb, c, ldc, accumulate, rowScale, band);
                break;
            default:
                Multiply<WidthScalar, float>(rows, depth, cols, a, aRowStride, aDepthStride, b, ldb, c, ldc, accumulate, rowScale, band);
                break;
        }
    }

    private static void Multiply<TW, TV>(int rows, int depth, int cols, float* a, int aRowStride, int aDepthStride,
        float* b, int ldb, float* c, int ldc, bool accumulate, float* rowScale, CausalBand band)
        where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        for (int r = 0; r < rows;)
        {
            int n = Math.Min(TW.TileRows, rows - r);
            // What the mask leaves this block of rows [r, r + n): columns [0, blockCols), depth [first, first + blockDepth).
            var (blockCols, first, blockDepth) = band.Block(r, n, cols, depth);
            bool nothingToAdd = blockDepth == 0 && accumulate && rowScale == null;
            if (blockCols > 0 && !nothingToAdd)
            {
                float* ar = a + (nint)r * aRowStride + (nint)first * aDepthStride, br = b + (nint)first * ldb, cr = c + (nint)r * ldc;
                float* scale = rowScale == null ? null : rowScale + r;
                switch (n)
                {
                    case 1: Columns<TW, TV, Count1>(blockDepth, ar, aRowStride, aDepthStride, br, ldb, cr, ldc, blockCols, accumulate, scale); break;
                    case 2: Columns<TW, TV, Count2>(blockDepth, ar, aRowStride, aDepthStride, br, ldb, cr, ldc, blockCols, accumulate, scale); break;
                    case 3: Columns<TW, TV, Count3>(blockDepth, ar, aRowStride, aDepthStride, br, ldb, cr, ldc, blockCols, accumulate, scale); break;
                    case 4: Columns<TW, TV, Count4>(blockDepth, ar, aRowStride, aDepthStride, br, ldb, cr, ldc, blockCols, accumulate, scale); break;
                    case 5: Columns<TW, TV, Count5>(blockDepth, ar, aRowStride, aDepthStride, br, ldb, cr, ldc, blockCols, accumulate, scale); break;
                    default: Columns<TW, TV, Count6>(blockDepth, ar, aRowStride, aDepthStride, br, ldb, cr, ldc, blockCols, accumulate, scale); break;
                }
            }
            r += n;
        }
    }

    /// <summary>
    /// TR rows of C across all columns: blocks of TileVectors vectors, then (AVX-512, ARM64) a block of two, then
    /// single vectors, so that a short run of columns still keeps at least two accumulators a row in flight.
    /// </summary>
    private static void Columns<TW, TV, TR>(int depth, float* a, nint ars, nint ads, float* b, nint ldb, float* c, nint ldc, int cols,
        bool accumulate, float* scale)
        where TW : struct, IAttentionWidth<TV> where TV : struct where TR : struct, ITileCount
    {
        int wide = TW.TileVectors * TW.Lanes, col = 0;
        for (; col + wide <= cols; col += wide)
        {
            if (TW.TileVectors == 4) AttentionTileBlock.Multiply<TW, TV, TR, Count4>(depth, a, ars, ads, b + col, ldb, c + col, ldc, accumulate, scale);
            else AttentionTileBlock.Multiply<TW, TV, TR, Count2>(depth, a, ars, ads, b + col, ldb, c + col, ldc, accumulate, scale);
        }
        if (TW.TileVectors == 4 && col + 2 * TW.Lanes <= cols)
        {
            AttentionTileBlock.Multiply<TW, TV, TR, Count2>(depth, a, ars, ads, b + col, ldb, c + col, ldc, accumulate, scale);
            col += 2 * TW.Lanes;
        }
        for (; col < cols; col += TW.Lanes)
            AttentionTileBlock.Multiply<TW, TV, TR, Count1>(depth, a, ars, ads, b + col, ldb, c + col, ldc, accumulate, scale);
    }
}
