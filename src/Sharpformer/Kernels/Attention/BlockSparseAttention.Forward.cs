namespace Sharpformer.Kernels;

internal static unsafe partial class BlockSparseAttention
{
    [ThreadStatic] private static ForwardJob? t_forwardJob;

    /// <summary>
    /// O = softmax(Q·Kᵀ·scale + mask + pattern)·V and lse = log Σ exp(scores) per row, visiting only the key
    /// tiles of <paramref name="pattern"/>. q, o: (B·nh, Tq, hs); k, v: (B·nh, Tk, hs); lse: (B·nh, Tq).
    /// Parallel over (batch·head, query tile).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, BlockSparsePattern pattern, Span<float> o, Span<float> lse) => Forward(q, k, v, keyLengths, shape, pattern, o, lse, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, BlockSparsePattern pattern, Span<float> o, Span<float> lse, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape, pattern);
        shape.RequireQuery(o.Length, nameof(o));
        shape.RequireRows(lse.Length, nameof(lse));
        var job = t_forwardJob ??= new ForwardJob();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse)
        {
            job.Prepare(pq, pk, pv, po, pl, keyLengths, shape, pattern, width);
            Parallelism.For(shape.BatchHeads, job.PackBody, 2 * AttentionPacking.WorkPerElement * shape.KeyLength * shape.HeadSize); // Kᵀ and V
            long work = 4L * pattern.TileSize * pattern.TileSize * shape.HeadSize * pattern.EntryCount / ((long)pattern.Groups * pattern.QueryTiles);
            Parallelism.For(shape.BatchHeads * pattern.QueryTiles, job.TileBody, Math.Max(1, work));
            job.Release();
        }
    }

    /// <summary>One call's pointers, sizes and pattern, kept per calling thread so the parallel bodies are cached delegates.</summary>
    private sealed class ForwardJob
    {
        public readonly Action<int> PackBody, TileBody;
        private readonly AttentionScratch _keysTransposed = new(ForwardScratch), _valuesPadded = new(ForwardScratch);
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _kt, _vp;
        private AttentionShape _shape;
        private BlockSparsePattern? _pattern;
        private long _tiledKeys;
        private int _paddedHs, _tileWidth;
        private SimdWidth _simd;

        public ForwardJob()
        {
            PackBody = Pack;
            TileBody = RunTile;
        }

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, ReadOnlySpan<int> keyLengths, in AttentionShape shape,
            BlockSparsePattern pattern, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _shape = shape; _pattern = pattern; _simd = width;
            FlashAttention.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
            _tileWidth = AttentionTileGemm.RoundUp(pattern.TileSize);
            _tiledKeys = AttentionPacking.TiledSize(shape.KeyLength, shape.HeadSize, pattern.TileSize, _tileWidth);
            _paddedHs = AttentionTileGemm.RoundUp(shape.HeadSize);
            // Kᵀ per head in key tiles: (B·nh, key tiles, hs, tile width); V padded only when hs is not a whole number of vectors.
            _kt = _keysTransposed.Get(shape.BatchHeads * _tiledKeys);
            _vp = _paddedHs == shape.HeadSize ? v : _valuesPadded.Get((long)shape.BatchHeads * shape.KeyLength * _paddedHs);
        }

        public void Release() => _pattern = null;

        private void Pack(int bh)
        {
            int tk = _shape.KeyLength, hs = _shape.HeadSize;
            AttentionPacking.TransposeTiles(_k + (nint)bh * tk * hs, tk, hs, _kt + bh * _tiledKeys, _pattern!.TileSize, _tileWidth);
            if (_vp != _v) AttentionPacking.PadRows(_v + (nint)bh * tk * hs, tk, hs, _vp + (nint)bh * tk * _paddedHs, _paddedHs, 1f);
        }

        private void RunTile(int item)
        {
            var pattern = _pattern!;
            int bh = item / pattern.QueryTiles, qt = item % pattern.QueryTiles;
            ref readonly var shape = ref _shape;
            int hs = shape.HeadSize, dp = _paddedHs, tq = shape.QueryLength, tk = shape.KeyLength;
            int tile = pattern.TileSize, width = _tileWidth;
            int keyLength = _keyLengths[bh / shape.Heads];
            int q0 = qt * tile, rows = Math.Min(tile, tq - q0);

            var scratch = TileScratch.Current;
            float* qs = scratch.Queries.Get((long)tile * hs);        // (rows, hs) · scale · log₂e
            float* s = scratch.Scores.Get((long)tile * width);       // (rows, width) base-2 scores, then probabilities
            float* acc = scratch.Output.Get((long)tile * dp);        // (rows, dp) unnormalised output
            var stats = new OnlineSoftmaxRows(scratch.RowStats.Get(5L * width), width);

            float* qSrc = _q + ((nint)bh * tq + q0) * hs;
            float qScale = shape.Scale * AttentionMath.Log2E;
            AttentionPacking.ScaleCopy(qSrc, rows * hs, qs, qScale);
            new Span<float>(acc, rows * dp).Clear();
            stats.Reset(rows);

            float* kt = _kt + bh * _tiledKeys;
            float* vp = _vp + (nint)bh * tk * dp;
            int keyEnd = shape.VisibleKeys(q0 + rows - 1, keyLength); // the last row sees the most keys
            var (first, end) = pattern.EntriesOf(bh, qt);
            for (int e = first; e < end; e++)
            {
                int keyTile = pattern.KeyTileOf(e), j0 = keyTile * tile;
                int keys = TileKeys(keyTile, tile, keyEnd);
                if (keys <= 0) continue; // hidden from every row by the causal or padding mask
                int paddedKeys = AttentionTileGemm.RoundUp(keys);
                // S (rows, keys) = Qs (rows, hs) · Kᵀ (hs, keys)
                AttentionTileGemm.Multiply(_simd, rows, hs, paddedKeys, qs, hs, 1, kt + (long)keyTile * hs * width, width, s, width, accumulate: false,
                    band: CausalBand.For(shape.Causal, CausalSkip.KeyColumns, AttentionTileSteps.Diagonal(shape, q0, j0)));
                if (!pattern.IsWhole(e)) MaskOutsideBand(pattern, q0, rows, j0, paddedKeys, s, width);
                AttentionTileSteps.SoftmaxAndAccumulate(_simd, shape, keyLength, q0, rows, j0, keys, s, width, vp + (nint)j0 * dp, dp, acc, stats);
            }

            AttentionTileSteps.Finish(rows, acc, dp, stats, _o + ((nint)bh * tq + q0) * hs, hs, _lse + (nint)bh * tq + q0);
        }
    }

    /// <summary>Per-thread tiles of the forward pass.</summary>
    private sealed class TileScratch
    {
        [ThreadStatic] private static TileScratch? t_current;
        public static TileScratch Current => t_current ??= new TileScratch();
        public readonly AttentionScratch Queries = new(ForwardScratch), Scores = new(ForwardScratch), Output = new(ForwardScratch),
            RowStats = new(ForwardScratch);
    }
}
