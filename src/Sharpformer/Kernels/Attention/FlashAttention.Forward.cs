namespace Sharpformer.Kernels;

internal static unsafe partial class FlashAttention
{
    [ThreadStatic] private static ForwardJob? t_forwardJob;

    /// <summary>
    /// O = softmax(Q·Kᵀ·scale + mask)·V and lse = log Σⱼ exp(scaled masked score) per query row.
    /// q, o: (B·nh, Tq, hs); k, v: (B·nh, Tk, hs); lse: (B·nh, Tq). A row that sees no key gets O = 0 and
    /// lse = −∞. Parallel over (batch·head, block of <see cref="ForwardRows"/> queries).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<float> o, Span<float> lse) => Forward(q, k, v, keyLengths, shape, o, lse, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<float> o, Span<float> lse, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape);
        shape.RequireQuery(o.Length, nameof(o));
        shape.RequireRows(lse.Length, nameof(lse));
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse)
        {
            if (shape.QueryLength <= RowPathMaxQueries)
            {
                ForwardByRows(pq, pk, pv, po, pl, keyLengths, shape, width);
                return;
            }
            var job = t_forwardJob ??= new ForwardJob();
            job.Prepare(pq, pk, pv, po, pl, keyLengths, shape, width);
            Parallelism.For(shape.BatchHeads, job.PackBody, 2 * AttentionPacking.WorkPerElement * shape.KeyLength * shape.HeadSize); // Kᵀ and V
            Parallelism.For(shape.BatchHeads * job.QueryBlocks, job.BlockBody, 4L * ForwardRows * shape.KeyLength * shape.HeadSize);
        }
    }

    /// <summary>One call's pointers and sizes, kept per calling thread so the parallel bodies are cached delegates.</summary>
    private sealed class ForwardJob
    {
        public readonly Action<int> PackBody, BlockBody;
        private readonly AttentionScratch _keysTransposed = new(ForwardScratch), _valuesPadded = new(ForwardScratch);
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _kt, _vp;
        private AttentionShape _shape;
        private long _tiledKeys;
        private int _paddedHs;
        private SimdWidth _simd;
        public int QueryBlocks;

        public ForwardJob()
        {
            PackBody = Pack;
            BlockBody = RunBlock;
        }

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, ReadOnlySpan<int> keyLengths, in AttentionShape shape, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _shape = shape; _simd = width;
            CopyKeyLengths(ref _keyLengths, keyLengths, shape);
            _tiledKeys = AttentionPacking.TiledSize(shape.KeyLength, shape.HeadSize, KeyTile);
            _paddedHs = AttentionTileGemm.RoundUp(shape.HeadSize);
            QueryBlocks = (shape.QueryLength + ForwardRows - 1) / ForwardRows;
            // Kᵀ per head in key tiles: (B·nh, Tk / KeyTile, hs, KeyTile); V needs a padded copy only when hs is not a whole number of vectors.
            _kt = _keysTransposed.Get(shape.BatchHeads * _tiledKeys);
            _vp = _paddedHs == shape.HeadSize ? v : _valuesPadded.Get((long)shape.BatchHeads * shape.KeyLength * _paddedHs);
        }

        private void Pack(int bh)
        {
            int tk = _shape.KeyLength, hs = _shape.HeadSize;
            AttentionPacking.TransposeTiles(_k + (nint)bh * tk * hs, tk, hs, _kt + bh * _tiledKeys, KeyTile);
            if (_vp != _v) AttentionPacking.PadRows(_v + (nint)bh * tk * hs, tk, hs, _vp + (nint)bh * tk * _paddedHs, _paddedHs, 1f);
        }

        private void RunBlock(int item)
        {
            int bh = item / QueryBlocks;
            // Last blocks first: under a causal mask they carry the most work, so they should not be left to the end.
            int block = QueryBlocks - 1 - item % QueryBlocks;
            ref readonly var shape = ref _shape;
            int hs = shape.HeadSize, dp = _paddedHs, tq = shape.QueryLength, tk = shape.KeyLength;
            int keyLength = _keyLengths[bh / shape.Heads];
            int q0 = block * ForwardRows, rows = Math.Min(ForwardRows, tq - q0);

            var scratch = TileScratch.Current;
            float* qs = scratch.Queries.Get(ForwardRows * hs);  // (rows, hs) · scale · log₂e
            float* s = scratch.Scores.Get(QueryTile * KeyTile); // (QueryTile, KeyTile) base-2 scores, then probabilities
            float* acc = scratch.Output.Get(ForwardRows * dp);  // (rows, dp) unnormalised output
            var stats = new OnlineSoftmaxRows(scratch.RowStats.Get(5 * ForwardRows), ForwardRows);

            float* qSrc = _q + ((nint)bh * tq + q0) * hs;
            float qScale = shape.Scale * AttentionMath.Log2E;
            AttentionPacking.ScaleCopy(qSrc, rows * hs, qs, qScale);
            new Span<float>(acc, rows * dp).Clear();
            stats.Reset(rows);

            float* kt = _kt + bh * _tiledKeys;
            float* vp = _vp + (nint)bh * tk * dp;
            int keyEnd = shape.VisibleKeys(q0 + rows - 1, keyLength); // the last row sees the most keys
            for (int j0 = 0; j0 < keyEnd; j0 += KeyTile)
                for (int t0 = 0; t0 < rows; t0 += QueryTile)
                {
                    int tileRows = Math.Min(QueryTile, rows - t0);
                    int tileKeyEnd = shape.VisibleKeys(q0 + t0 + tileRows - 1, keyLength);
                    if (j0 >= tileKeyEnd) continue; // causal: this query tile sees none of these keys
                    int keys = Math.Min(KeyTile, tileKeyEnd - j0);
                    // S (tileRows, keys) = Qs (tileRows, hs) · Kᵀ (hs, keys), then the online softmax and acc += P·V.
                    AttentionTileGemm.Multiply(_simd, tileRows, hs, AttentionTileGemm.RoundUp(keys), qs + (nint)t0 * hs, hs, 1,
                        AttentionPacking.Tile(kt, j0, hs, KeyTile), KeyTile, s, KeyTile, accumulate: false,
                        band: CausalBand.For(shape.Causal, CausalSkip.KeyColumns, AttentionTileSteps.Diagonal(shape, q0 + t0, j0)));
                    AttentionTileSteps.SoftmaxAndAccumulate(_simd, shape, keyLength, q0 + t0, tileRows, j0, keys, s, KeyTile,
                        vp + (nint)j0 * dp, dp, acc + (nint)t0 * dp, stats.From(t0));
                }

            AttentionTileSteps.Finish(rows, acc, dp, stats, _o + ((nint)bh * tq + q0) * hs, hs, _lse + (nint)bh * tq + q0);
        }
    }

    /// <summary>Per-thread tiles of the forward pass.</summary>
    private sealed class TileScratch
    {
        [ThreadStatic] private static TileScratch? t_current;
        public static TileScratch Current => t_current ??= new TileScratch();
        public readonly AttentionScratch Queries = new(ForwardScratch), Scores = new(ForwardScratch), Output = new(ForwardScratch), RowStats = new(ForwardScratch);
    }
}
