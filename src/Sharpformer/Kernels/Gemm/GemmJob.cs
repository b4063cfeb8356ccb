using System.Runtime.InteropServices;

namespace Sharpformer.Kernels;

/// <summary>
/// The state of one blocked product, reused by every product started on the same thread (so a call
/// allocates nothing once warm). It walks the (N block, K block) sequence; for each block its items are
/// what the threads share: first the panels of the next B block to pack, then the row tiles of C to
/// compute against the current packed B block, in items of one row tile (or, for a transposed A,
/// <see cref="KMajorTilesPerItem"/> tiles packed in one pass). Two B buffers alternate between the two roles.
/// </summary>
internal sealed unsafe class GemmJob : IParallelBody
{
    /// <summary>Row tiles per item when A is transposed: their panels are packed in one visit of each stored row.</summary>
    public const int KMajorTilesPerItem = 4;

    [ThreadStatic] private static GemmJob? t_job;

    public static GemmJob ForCurrentThread() => t_job ??= new GemmJob();

    /// <summary>A (kc, nc) block of op(B) at (pc, jc), and how C is updated by its product.</summary>
    private struct Block
    {
        public int Jc, Nc, Pc, Kc;
        // B panels of the block and the floats from one panel to the next, worked out once per block rather than per tile.
        public int Panels;
        public long PanelStride;
        public float Beta;
        public bool Overwrite;
        public float* PackedB;
    }

    // The two B block buffers, grown to the largest block a product has needed so far: a thread that
    // only multiplies attention heads keeps a few KiB, not the 4 MiB of the largest block.
    private float* _packedB0, _packedB1;
    private long _packedBFloats;

    // The tile and blocks of the path that runs, and its tile's rows and columns.
    private GemmBlocking _blocking = GemmBlocking.For(SimdWidth.Scalar);
    private int _mr, _nr;
    private bool _transA, _transB, _aInPlace;

    // The last lda (and blocking) checked with RowsSpreadOverL1Sets, and the answer: products in a batch share one.
    private int _checkedLda = -1;
    private GemmBlocking? _checkedBlocking;
    private bool _ldaSpreadsRows;
    private int _m, _n, _k, _kcBlock, _lda, _ldb, _ldc, _threads, _tilesPerItem, _rowTiles;
    private float* _a, _b, _c;
    private float _alpha, _beta;

    private Block _current, _next;
    private bool _hasNext;

    /// <summary>
    /// Items that pack the next B block in the current loop (items [0, PackItems)): a panel each for a
    /// transposed B, else <see cref="GemmBlocking.BRowsPerPackItem"/> rows of B into every panel.
    /// </summary>
    public int PackItems { get; private set; }

    /// <summary>Items of row tiles of C computed by the current loop (after the pack items); 0 before the first block.</summary>
    public int RowItems { get; private set; }

    /// <summary>Row tiles in one item of <see cref="RowItems"/>.</summary>
    public int TilesPerItem => _tilesPerItem;

    ~GemmJob()
    {
        NativeMemory.AlignedFree(_packedB0);
        NativeMemory.AlignedFree(_packedB1);
    }

    private static float* Allocate(long floats) => (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);

    private void EnsurePackedB(long floats)
    {
        if (floats <= _packedBFloats) return;
        NativeMemory.AlignedFree(_packedB0);
        NativeMemory.AlignedFree(_packedB1);
        _packedB0 = Allocate(floats);
        _packedB1 = Allocate(floats);
        _packedBFloats = floats;
    }

    public void Begin(GemmBlocking blocking, bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, float alpha, float beta, int threads)
    {
        _blocking = blocking;
        (_mr, _nr) = (blocking.MR, blocking.NR);
        _threads = threads;
        _transA = transA;
        _transB = transB;
        _tilesPerItem = transA ? KMajorTilesPerItem : 1;
        // A as stored is read by the kernel where it lies when its rows do not crowd into a few L1 sets;
        // every kernel stops at the last row of a bottom tile, so none reads past A.
        if (lda != _checkedLda || blocking != _checkedBlocking)
            (_checkedLda, _checkedBlocking, _ldaSpreadsRows) = (lda, blocking, blocking.RowsSpreadOverL1Sets(lda));
        _aInPlace = !transA && _ldaSpreadsRows;
        _m = m; _n = n; _k = k;
        _rowTiles = (m + _mr - 1) / _mr;
        _kcBlock = blocking.KcFor(k, transA);
        EnsurePackedB(PanelsOf(Math.Min(n, blocking.NcMax)) * ((long)_kcBlock * _nr + GemmBlocking.BPanelPad));
        _a = a; _lda = lda;
        _b = b; _ldb = ldb;
        _c = c; _ldc = ldc;
        _alpha = alpha;
        _beta = beta;
    }

    /// <summary>Sets up the loop that packs the first B block alone.</summary>
    public void PrepareFirstBlock()
    {
        _next = MakeBlock(jc: 0, pc: 0, _packedB0);
        _hasNext = true;
        PackItems = PackItemsOf(_next);
        RowItems = 0;
    }

    /// <summary>Moves to the next block: computes the block just packed and packs the one after it. False when done.</summary>
    public bool NextBlock()
    {
        if (!_hasNext) return false;
        _current = _next;
        int pc = _current.Pc + _current.Kc, jc = _current.Jc;
        if (pc >= _k)
        {
            pc = 0;
            jc += _current.Nc;
        }
        _hasNext = jc < _n;
        if (_hasNext) _next = MakeBlock(jc, pc, _current.PackedB == _packedB0 ? _packedB1 : _packedB0);
        PackItems = _hasNext ? PackItemsOf(_next) : 0;
        RowItems = (_rowTiles + _tilesPerItem - 1) / _tilesPerItem;
        return true;
    }

    private Block MakeBlock(int jc, int pc, float* packedB)
    {
        bool first = pc == 0;
        int nc = Math.Min(_blocking.NcMax, _n - jc), kc = Math.Min(_kcBlock, _k - pc);
        return new Block
        {
            Jc = jc, Nc = nc,
            Pc = pc, Kc = kc,
            Panels = PanelsOf(nc),
            PanelStride = (long)kc * _nr + GemmBlocking.BPanelPad,
            // Later K blocks add to what the first one wrote.
            Beta = first ? _beta : 1f,
            Overwrite = first && _beta == 0f,
            PackedB = packedB,
        };
    }

    private int PanelsOf(int columns) => (columns + _nr - 1) / _nr;

    private int PackItemsOf(in Block block) =>
        _transB ? block.Panels : (block.Kc + GemmBlocking.BRowsPerPackItem - 1) / GemmBlocking.BRowsPerPackItem;

    // Row items of the current block that other threads may take (RunShared): the block's serial number
    // in the high 32 bits, the next unclaimed item in the low 32; and how many claimed items are done.
    private long _claim = int.MaxValue;
    private int _itemsDone;
    private int _blockSerial;

    /// <summary>
    /// Runs the whole product on the calling thread, block after block as a one-thread <see cref="Execute"/>
    /// loop would, except that the row items of each block are claimed one at a time, so that other
    /// threads with nothing left of their own can take some through <see cref="TryHelp"/>. Before it moves
    /// to the next block it waits for the items others took, so no tile of C is updated by two K blocks at once.
    /// </summary>
    public void RunShared()
    {
        Volatile.Write(ref _claim, (long)_blockSerial << 32 | int.MaxValue);
        PrepareFirstBlock();
        for (int i = 0; i < PackItems; i++) Execute(i);
        while (NextBlock())
        {
            // Open the block to helpers first: packing the next block (into the other buffer) can go on beside them.
            Volatile.Write(ref _itemsDone, 0);
            Volatile.Write(ref _claim, (long)++_blockSerial << 32);
            for (int i = 0; i < PackItems; i++) Execute(i);
            while (TryComputeClaimedItem()) { }
            var wait = new BusyWait();
            while (Volatile.Read(ref _itemsDone) < RowItems) wait.Once();
        }
    }

    /// <summary>
    /// Computes one row item of the current block of a product another thread runs with <see cref="RunShared"/>;
    /// false when none is left to take.
    /// </summary>
    public bool TryHelp() => TryComputeClaimedItem();

    private bool TryComputeClaimedItem()
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            int item = (int)claim;
            if (item >= RowItems) return false;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;
            // The owner cannot leave this block before the item is counted done, so _current is stable.
            ComputeRowItem(_current, item);
            Interlocked.Increment(ref _itemsDone);
            return true;
        }
    }

    /// <summary>Drops the caller's pointers so nothing outlives the call that pinned them.</summary>
    public void End()
    {
        Volatile.Write(ref _claim, (long)++_blockSerial << 32 | int.MaxValue);
        _a = _b = _c = null;
        _hasNext = false;
    }

    public void Execute(int index)
    {
        if (index >= PackItems) ComputeRowItem(_current, index - PackItems);
        else if (_transB) PackPanel(_next, index);
        else PackRows(_next, index);
    }

    // Transposed B, panel `index`: columns [index·NR, index·NR + NR) of the block, turned round 16×16 at a time.
    private void PackPanel(in Block block, int index)
    {
        int j0 = index * _nr;
        int cols = Math.Min(_nr, block.Nc - j0);
        GemmPacking.PackBTransposed(_b + (long)(block.Jc + j0) * _ldb + block.Pc, _ldb, cols, block.Kc, block.PackedB + index * block.PanelStride, _nr);
    }

    // Non-transposed B, item `index`: rows [index·R, index·R + R) of the block into every panel. Each row
    // is read once, front to back, which the hardware prefetcher follows; a panel at a time would read
    // two lines from each of kc rows lda apart, which it does not.
    private void PackRows(in Block block, int index)
    {
        int p0 = index * GemmBlocking.BRowsPerPackItem;
        int rows = Math.Min(GemmBlocking.BRowsPerPackItem, block.Kc - p0);
        GemmPacking.PackBRows(_b + (long)(block.Pc + p0) * _ldb + block.Jc, _ldb, block.Nc, rows,
            block.PackedB + (long)p0 * _nr, block.PanelStride, _nr);
    }

    // Items are claimed in order, so this thread's next item is most likely `threads` items on. Its A
    // rows are fetched while the current tile computes, so that reading (or packing) them later does not
    // wait on memory. The lines leave L1 again as the B panels stream past, but stay in L2. The hint is
    // T0: on this CPU a T1 prefetch, meant to fill L2 only, left packing as slow as no prefetch at all
    // (1.8 µs per 14×512 panel against 0.6 µs with T0).

    // A as stored (M, K): row `row` of the next item's tile, or null past the last row of A.
    private float* NextItemRow(in Block block, int item, int row)
    {
        int i = (item + _threads) * _mr + row;
        return i < _m ? _a + (long)i * _lda + block.Pc : null;
    }

    // A transposed, stored (K, M): the next item's columns of each k step, the k steps spread over `parts`
    // parts, one before each of the first MR kernel calls of every tile of the item.
    private void PrefetchNextKMajorItem(in Block block, int item, int part, int parts)
    {
        int i0 = (item + _threads) * _tilesPerItem * _mr;
        if (i0 >= _m) return;
        int columns = Math.Min(_tilesPerItem * _mr, _m - i0);
        int steps = (block.Kc + parts - 1) / parts;
        int end = Math.Min(block.Kc, (part + 1) * steps);
        for (int p = part * steps; p < end; p++)
        {
            float* src = _a + (long)(block.Pc + p) * _lda + i0;
            for (int j = 0; j < columns; j += 16) Simd.Prefetch(src + j);
            Simd.Prefetch(src + columns - 1);
        }
    }

    // What of the next item's A to fetch around kernel call jr of a tile. For A as stored: row jr,
    // returned for the kernel to fetch along its k loop; with fewer panels than rows, the rows left over
    // are asked for here at once (for deep blocks only: a shallow tile is back in cache soon enough).
    // For a transposed A: one part of its k steps, asked for here. Null when the kernel has nothing to fetch.
    private float* FetchAheadAroundCall(in Block block, int item, int tileOfItem, int jr, int panels)
    {
        if (_transA)
        {
            if (jr < _mr) PrefetchNextKMajorItem(block, item, part: tileOfItem * _mr + jr, parts: _tilesPerItem * _mr);
            return null;
        }
        for (int r = jr + panels; r < _mr && block.Kc >= 256; r += panels)
        {
            float* extra = NextItemRow(block, item, r);
            if (extra == null) break;
            for (int p = 0; p < block.Kc; p += 16) Simd.Prefetch(extra + p);
        }
        return jr < _mr ? NextItemRow(block, item, jr) : null;
    }

    // The item's row tiles: pack their A panels when transposed (all at once), then compute each.
    private void ComputeRowItem(in Block block, int item)
    {
        int firstTile = item * _tilesPerItem;
        int tiles = Math.Min(_tilesPerItem, _rowTiles - firstTile);
        GemmScratch scratch = GemmScratch.ForCurrentThread();
        if (_transA)
        {
            int i0 = firstTile * _mr;
            GemmPacking.PackAKMajor(_a + (long)block.Pc * _lda + i0, _lda, Math.Min(tiles * _mr, _m - i0), block.Kc,
                scratch.PanelA, _blocking.APanelFloats, readableColumns: _m - i0, _mr, _blocking.MrStride);
        }
        for (int t = 0; t < tiles; t++)
            ComputeRowTile(block, item, t, firstTile + t, scratch, scratch.PanelA + (long)t * _blocking.APanelFloats);
    }

    // Rows [index·MR, index·MR + MR) of C in this column block, against every packed B panel; tile
    // `tileOfItem` of row item `item`, whose A panel buffer (already packed when transposed) is panelA.
    private void ComputeRowTile(in Block block, int item, int tileOfItem, int index, GemmScratch scratch, float* panelA)
    {
        int i0 = index * _mr;
        int rows = Math.Min(_mr, _m - i0);
        int kc = block.Kc;
        // Where the kernel finds A(r, p) of this tile: aRows[r·rowStep + p·kStep].
        float* aRows = panelA;
        nint rowStep = _blocking.KcStride, kStep = 1;
        if (_transA) (rowStep, kStep) = (1, _blocking.MrStride);
        else if (_aInPlace)
        {
            aRows = _a + (long)i0 * _lda + block.Pc;
            rowStep = _lda;
        }
        else GemmPacking.PackARowMajor(_a + (long)i0 * _lda + block.Pc, _lda, rows, kc, panelA, _blocking.KcStride);

        float* cRow = _c + (long)i0 * _ldc + block.Jc;
        int panels = block.Panels;
        for (int jr = 0; jr < panels; jr++)
        {
            int cols = Math.Min(_nr, block.Nc - jr * _nr);
            float* panelB = block.PackedB + jr * block.PanelStride;
            float* cTile = cRow + jr * _nr;
            // A row of the next item for the kernel to fetch as it goes (its own rows when there is none).
            float* prefetch = FetchAheadAroundCall(block, item, tileOfItem, jr, panels);
            if (prefetch == null) prefetch = aRows;
            if (cols == _nr)
            {
                GemmDriver.RunKernel(_blocking.Width, rows, kc, aRows, rowStep, kStep, panelB, cTile, _ldc, _alpha, block.Beta, block.Overwrite, prefetch);
                continue;
            }
            // Right edge: compute the whole tile aside, then update only the part inside C.
            float* tile = scratch.EdgeTile;
            GemmDriver.RunKernel(_blocking.Width, rows, kc, aRows, rowStep, kStep, panelB, tile, _nr, 1f, 0f, overwrite: true, prefetch);
            for (int r = 0; r < rows; r++)
            {
                float* target = cTile + (long)r * _ldc;
                float* sum = tile + r * _nr;
                if (block.Overwrite)
                    for (int j = 0; j < cols; j++) target[j] = sum[j] * _alpha;
                else
                    for (int j = 0; j < cols; j++) target[j] = MathF.FusedMultiplyAdd(sum[j], _alpha, block.Beta * target[j]);
            }
        }
    }
}

/// <summary>Per-thread buffers of a thread that computes row tiles: its A panels and an edge tile.</summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? t_scratch;

    public static GemmScratch ForCurrentThread() => t_scratch ??= new GemmScratch();

    /// <summary>A panels for one item of row tiles, <see cref="GemmBlocking.APanelFloats"/> apart, for the largest blocks of any path.</summary>
    public readonly float* PanelA = (float*)NativeMemory.AlignedAlloc((nuint)((long)GemmJob.KMajorTilesPerItem * GemmBlocking.MaxAPanelFloats * sizeof(float)), 64);
    public readonly float* EdgeTile = (float*)NativeMemory.AlignedAlloc((nuint)(GemmBlocking.MaxTileFloats * sizeof(float)), 64);

    ~GemmScratch()
    {
        NativeMemory.AlignedFree(PanelA);
        NativeMemory.AlignedFree(EdgeTile);
    }
}
