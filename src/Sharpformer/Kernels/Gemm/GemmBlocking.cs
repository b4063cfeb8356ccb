namespace Sharpformer.Kernels;

/// <summary>
/// The register tile and cache blocks of the GEMM on one vector width (see docs/gemm.md for the measurements
/// behind them). The micro-kernel computes an MR×NR tile of C; K is cut into blocks of at most
/// <see cref="KcMax"/> and N into blocks of at most <see cref="NcMax"/>, sized from the machine's caches:
/// - Vector512 (14×32 in 28 of 32 zmm): the 14 A rows of a tile stream from L2 (a B panel sweeping past pushes
///   them out of L1), because every K block costs C a pass through memory and every N block costs A one, and
///   those passes cost more: K blocks of up to 1024 (one B panel, KC·NR·4 bytes, in an eighth of L2) and N blocks
///   of up to 1024 (the B block in an eighth of L3, streamed with the kernel's prefetch). On a 1 MiB L2 and 32 MiB
///   L3 this gives the 1024 × 1024 blocks measured best on Zen 5.
/// - Vector256 and Vector128 (6×16 in 12 ymm / 24 q accumulators) and scalar (4×4): a k step loads 64 bytes of B
///   for 192 flops (against 128 bytes for 896 on Vector512), so the A panel must stay in L1 while B streams:
///   KC with MR·KC·4 bytes in half of L1, N blocks as for Vector512.
/// <c>SHARPFORMER_GEMM_KC</c> and <c>SHARPFORMER_GEMM_NC</c> override the largest blocks (for tuning on a new CPU).
/// </summary>
internal sealed class GemmBlocking
{
    /// <summary>The vector width whose micro-kernel these blocks feed.</summary>
    public SimdWidth Width { get; }

    /// <summary>Rows of the C tile (one broadcast A value each).</summary>
    public int MR { get; }

    /// <summary>Columns of the C tile.</summary>
    public int NR { get; }

    /// <summary>Largest K block; K is split into equal blocks no larger than this.</summary>
    public int KcMax { get; }

    /// <summary>Largest K block when A is transposed (its k-major panels take MrStride floats per k step).</summary>
    public int KcMaxKMajor { get; }

    /// <summary>Largest N block (a multiple of NR).</summary>
    public int NcMax { get; }

    /// <summary>Row stride of a row-major A panel: KcMax plus one cache line, so the rows do not all fall into the same few L1 sets.</summary>
    public int KcStride => KcMax + 16;

    /// <summary>Stride between k steps of a k-major A panel: MR rounded up to a whole vector.</summary>
    public int MrStride { get; }

    /// <summary>Floats in one A panel buffer (either layout).</summary>
    public int APanelFloats => Math.Max(MR * KcStride, KcMaxKMajor * MrStride);

    /// <summary>Sets of the L1 data cache, and the most rows of an A tile read in place that may share one.</summary>
    private readonly int _l1Sets, _maxRowsPerL1Set;

    /// <summary>
    /// Floats between the end of one packed B panel and the start of the next: one cache line, so that the
    /// same k step of successive panels (KC·NR floats apart, a multiple of 4 KiB) does not fall into the
    /// same cache set when a row of B is packed into all of them at once.
    /// </summary>
    public const int BPanelPad = 16;

    /// <summary>Rows of a non-transposed B that one packing item copies into every panel of the block.</summary>
    public const int BRowsPerPackItem = 32;

    private GemmBlocking(SimdWidth width, int mr, int nr, int mrStride, int kcMax, int ncMax, CacheInfo caches)
    {
        Width = width;
        (MR, NR, MrStride) = (mr, nr, mrStride);
        KcMax = kcMax;
        KcMaxKMajor = Math.Max(64, kcMax / 2);
        NcMax = ncMax;
        _l1Sets = caches.L1Sets;
        // Leave room in each set for the B and C lines that pass through it (7 of 12 ways measured on Zen 5).
        _maxRowsPerL1Set = Math.Max(1, caches.L1Ways * 7 / 12);
    }

    private static readonly GemmBlocking[] ForMachine =
        [.. new[] { SimdWidth.Scalar, SimdWidth.V128, SimdWidth.V256, SimdWidth.V512 }.Select(w => Compute(w, CacheInfo.Machine, Overrides()))];

    /// <summary>The largest A panel of any path here, for the per-thread scratch buffers.</summary>
    public static int MaxAPanelFloats { get; } = ForMachine.Max(b => b.APanelFloats);

    /// <summary>The largest C tile of any path (the edge tile every path computes aside).</summary>
    public static int MaxTileFloats { get; } = ForMachine.Max(b => b.MR * b.NR);

    /// <summary>The blocks used on this machine for a width.</summary>
    public static GemmBlocking For(SimdWidth width) => ForMachine[width switch
    {
        SimdWidth.Scalar => 0,
        SimdWidth.V128 => 1,
        SimdWidth.V256 => 2,
        _ => 3,
    }];

    /// <summary>The blocks a machine with <paramref name="caches"/> gets; <paramref name="overrides"/> replace the largest KC and NC.</summary>
    public static GemmBlocking Compute(SimdWidth width, CacheInfo caches, (int Kc, int Nc) overrides = default)
    {
        (int mr, int nr, int mrStride) = width switch
        {
            SimdWidth.V512 => (14, 32, 16),
            SimdWidth.V256 or SimdWidth.V128 => (6, 16, 8),
            _ => (4, 4, 4),
        };
        int bPanelRule = FloorPowerOfTwo(caches.L2Bytes / (8 * nr * sizeof(float)));
        int kc = width == SimdWidth.V512 ? bPanelRule : Math.Min(bPanelRule, FloorPowerOfTwo(caches.L1Bytes / 2 / (mr * sizeof(float))));
        kc = Math.Clamp(overrides.Kc > 0 ? overrides.Kc : kc, 16, 1024);
        int nc = caches.L3Bytes / 8 / (kc * sizeof(float)) / nr * nr;
        nc = Math.Clamp(overrides.Nc > 0 ? overrides.Nc / nr * nr : nc, 4 * nr, 1024 / nr * nr);
        return new GemmBlocking(width, mr, nr, mrStride, kc, nc, caches);
    }

    private static (int Kc, int Nc) Overrides() =>
        (ReadPositive("SHARPFORMER_GEMM_KC"), ReadPositive("SHARPFORMER_GEMM_NC"));

    private static int ReadPositive(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out int value) && value > 0 ? value : 0;

    private static int FloorPowerOfTwo(int x) => x < 1 ? 1 : 1 << (31 - int.LeadingZeroCount(x));

    /// <summary>The K block size used for a product of depth <paramref name="k"/>: equal blocks, so the last is not a sliver.</summary>
    public int KcFor(int k, bool transA)
    {
        int max = transA ? KcMaxKMajor : KcMax;
        int blocks = (k + max - 1) / max;
        return (k + blocks - 1) / blocks;
    }

    /// <summary>
    /// True when the MR rows of a tile of A, <paramref name="lda"/> floats apart, spread over the L1 sets
    /// well enough for the kernel to read them where they lie. At a given k the rows touch one line each;
    /// with a stride of a multiple of 4 KiB (lda 1024, 2048, …) all fall into the same set, more than
    /// its ways hold, and every step would miss: such an A is packed into a panel first.
    /// </summary>
    public bool RowsSpreadOverL1Sets(int lda)
    {
        Span<int> rowsInSet = stackalloc int[_l1Sets];
        for (int r = 0; r < MR; r++)
        {
            int set = (int)((long)r * lda * sizeof(float) / CacheInfo.LineBytes % _l1Sets);
            if (++rowsInSet[set] > _maxRowsPerL1Set) return false;
        }
        return true;
    }

    /// <summary>"14×32 tile, KC 1024 (512 with A transposed), NC 1024" for tables and logs.</summary>
    public override string ToString() => $"{MR}×{NR} tile, KC {KcMax} ({KcMaxKMajor} with A transposed), NC {NcMax}";
}
