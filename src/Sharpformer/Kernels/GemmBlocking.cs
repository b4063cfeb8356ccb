namespace Sharpformer.Kernels;

/// <summary>
/// Tile and block sizes of the packed GEMM (see docs/gemm.md for the measurements behind them).
/// The micro-kernel computes an MR×NR tile of C; K is cut into blocks of at most <see cref="KcMax"/>
/// and N into blocks of at most <see cref="NcMax"/> so that:
/// - one packed A panel (MR × KC floats, 28 KiB) is swept once per B panel; with the B panel streaming
///   past it (KC × NR, 64 KiB, read once per tile) it does not all stay in the 48 KiB L1, so part of
///   it comes from L2 on each sweep, at no measurable cost (the kernel alone on such panels runs at 95–98%);
/// - one packed B block (KC × NC floats, 1 MiB) fills the 1 MiB L2 of each core; the kernel's B
///   prefetch covers the lines the A panel and C tiles push out.
/// A K block of 512 rather than 256 halves the kernel calls, and with them the fixed cost of each (zeroing
/// 28 accumulators, updating the C tile): 2–4% faster on the transformer shapes in paired runs, the same
/// on 1024³ and 2048³.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Rows of the C tile (one broadcast A value each).</summary>
    public const int MR = 14;

    /// <summary>Columns of the C tile (two 16-float vectors).</summary>
    public const int NR = 32;

    /// <summary>Largest K block; K is split into equal blocks no larger than this.</summary>
    public const int KcMax = 512;

    /// <summary>Largest N block (a multiple of NR).</summary>
    public const int NcMax = 512;

    /// <summary>
    /// Row stride of a row-major A panel: KcMax plus one cache line, so that the 14 rows do not all
    /// fall into the same few L1 sets.
    /// </summary>
    public const int KcStride = KcMax + 16;

    /// <summary>Stride between k steps of a k-major A panel: MR rounded up to one 64-byte line.</summary>
    public const int MrStride = 16;

    /// <summary>Floats in one A panel buffer (either layout).</summary>
    public const int APanelFloats = MR * KcStride > KcMax * MrStride ? MR * KcStride : KcMax * MrStride;

    /// <summary>
    /// Floats between the end of one packed B panel and the start of the next: one cache line, so that the
    /// same k step of successive panels (KC·NR floats apart, a multiple of 4 KiB) does not fall into the
    /// same cache set when a row of B is packed into all of them at once.
    /// </summary>
    public const int BPanelPad = 16;

    /// <summary>Floats in one B block buffer.</summary>
    public const int BBlockFloats = KcMax * NcMax + NcMax / NR * BPanelPad;

    /// <summary>Rows of a non-transposed B that one packing item copies into every panel of the block.</summary>
    public const int BRowsPerPackItem = 32;

    /// <summary>The K block size used for a product of depth <paramref name="k"/>: equal blocks, so the last is not a sliver.</summary>
    public static int KcFor(int k)
    {
        int blocks = (k + KcMax - 1) / KcMax;
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
