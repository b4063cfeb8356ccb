namespace Sharpformer.Kernels;

/// <summary>
/// Tile and block sizes of the packed GEMM (see docs/gemm.md for the measurements behind them).
/// The micro-kernel computes an MR×NR tile of C; K is cut into blocks of at most <see cref="KcMax"/>
/// and N into blocks of at most <see cref="NcMax"/>:
/// - the 14 A rows of a tile (MR × KC floats) are swept once per B panel; the B panel streaming past
///   them (KC × NR floats, read once per tile) pushes them out of the 48 KiB L1, so they come from L2;
/// - C makes one pass through memory per K block (a read for ownership and a write-back of every line),
///   and A is read (and packed, where it is) once per N block, so both blocks are large: up to 1024 deep
///   and 1024 wide. The B block (up to 4 MiB) then lives in L3, not in the 1 MiB L2, and each row tile
///   streams its panels from there, which the kernel's B prefetch covers. Paired against 512 × 512:
///   1024³ 1.05–1.06×, 2048³ 1.05–1.07×, the transformer shapes 0.99–1.03×.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Rows of the C tile (one broadcast A value each).</summary>
    public const int MR = 14;

    /// <summary>Columns of the C tile (two 16-float vectors).</summary>
    public const int NR = 32;

    /// <summary>Largest K block; K is split into equal blocks no larger than this.</summary>
    public const int KcMax = 1024;

    /// <summary>Largest K block when A is transposed (its k-major panels take 16 floats per k step).</summary>
    public const int KcMaxKMajor = 512;

    /// <summary>Largest N block (a multiple of NR).</summary>
    public const int NcMax = 1024;

    /// <summary>
    /// Row stride of a row-major A panel: KcMax plus one cache line, so that the 14 rows do not all
    /// fall into the same few L1 sets.
    /// </summary>
    public const int KcStride = KcMax + 16;

    /// <summary>Stride between k steps of a k-major A panel: MR rounded up to one 64-byte line.</summary>
    public const int MrStride = 16;

    /// <summary>Floats in one A panel buffer (either layout).</summary>
    public const int APanelFloats = MR * KcStride > KcMaxKMajor * MrStride ? MR * KcStride : KcMaxKMajor * MrStride;

    /// <summary>
    /// Floats between the end of one packed B panel and the start of the next: one cache line, so that the
    /// same k step of successive panels (KC·NR floats apart, a multiple of 4 KiB) does not fall into the
    /// same cache set when a row of B is packed into all of them at once.
    /// </summary>
    public const int BPanelPad = 16;

    /// <summary>Rows of a non-transposed B that one packing item copies into every panel of the block.</summary>
    public const int BRowsPerPackItem = 32;

    /// <summary>The K block size used for a product of depth <paramref name="k"/>: equal blocks, so the last is not a sliver.</summary>
    public static int KcFor(int k, bool transA)
    {
        int max = transA ? KcMaxKMajor : KcMax;
        int blocks = (k + max - 1) / max;
        return (k + blocks - 1) / blocks;
    }

    /// <summary>Sets of the 48 KiB, 12-way L1 data cache (64-byte lines).</summary>
    private const int L1Sets = 64, LineBytes = 64;

    /// <summary>Most rows of an A tile read in place that may share one L1 set.</summary>
    public const int MaxRowsPerL1Set = 7;

    /// <summary>
    /// True when the MR rows of a tile of A, <paramref name="lda"/> floats apart, spread over the L1 sets
    /// well enough for the kernel to read them where they lie. At a given k the rows touch one line each;
    /// with a stride of a multiple of 4 KiB (lda 1024, 2048, …) all 14 fall into the same set, more than
    /// its 12 ways hold, and every step would miss: such an A is packed into a panel first.
    /// </summary>
    public static bool RowsSpreadOverL1Sets(int lda)
    {
        Span<int> rowsInSet = stackalloc int[L1Sets];
        for (int r = 0; r < MR; r++)
        {
            int set = (int)((long)r * lda * sizeof(float) / LineBytes % L1Sets);
            if (++rowsInSet[set] > MaxRowsPerL1Set) return false;
        }
        return true;
    }
}
