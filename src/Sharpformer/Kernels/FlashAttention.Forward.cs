namespace Sharpformer.Kernels;

public static unsafe partial class FlashAttention
{
    [ThreadStatic] private static ForwardJob? t_forwardJob;

    /// <summary>
    /// O = softmax(Q·Kᵀ·scale + mask)·V and lse = log Σⱼ exp(scaled masked score) per query row.
    /// q, o: (B·nh, Tq, hs); k, v: (B·nh, Tk, hs); lse: (B·nh, Tq). A row that sees no key gets O = 0 and
    /// lse = −∞. Parallel over (batch·head, block of <see cref="ForwardRows"/> queries).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<float> o, Span<float> lse)
    {
        ValidateInputs(q, k, v, keyLengths, shape);
        shape.RequireQuery(o.Length, nameof(o));
        shape.RequireRows(lse.Length, nameof(lse));
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse)
        {
            if (shape.QueryLength <= RowPathMaxQueries)
            {
                ForwardByRows(pq, pk, pv, po, pl, keyLengths, shape);
                return;
            }
            var job = t_forwardJob ??= new ForwardJob();
            job.Prepare(pq, pk, pv, po, pl, keyLengths, shape);
            Parallelism.For(shape.BatchHeads, job.PackBody, 2L * shape.KeyLength * shape.HeadSize);
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
        public int QueryBlocks;

        public ForwardJob()
        {
            PackBody = Pack;
            BlockBody = RunBlock;
        }

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, ReadOnlySpan<int> keyLengths, in AttentionShape shape)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _shape = shape;
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
            // Per row: running max and sum, this tile's max and sum, and the rescale factor of the running output.
            float* max = scratch.RowStats.Get(5 * ForwardRows), sum = max + ForwardRows, newMax = sum + ForwardRows;
            float* tileSum = newMax + ForwardRows, rescale = tileSum + ForwardRows;

            float* qSrc = _q + ((nint)bh * tq + q0) * hs;
            float qScale = shape.Scale * AttentionMath.Log2E;
            for (int i = 0; i < rows * hs; i++) qs[i] = qSrc[i] * qScale;
            new Span<float>(acc, rows * dp).Clear();
            for (int r = 0; r < rows; r++) { max[r] = float.NegativeInfinity; sum[r] = 0f; }

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
                    AttendTile(q0 + t0, tileRows, j0, keys, keyLength, qs + (nint)t0 * hs, kt, vp, s, acc + (nint)t0 * dp,
                        max + t0, sum + t0, newMax + t0, tileSum + t0, rescale + t0);
                }

            float* oDst = _o + ((nint)bh * tq + q0) * hs;
            float* lseDst = _lse + (nint)bh * tq + q0;
            for (int r = 0; r < rows; r++)
            {
                bool empty = sum[r] == 0f;
                float inverse = empty ? 0f : 1f / sum[r];
                for (int c = 0; c < hs; c++) oDst[r * hs + c] = acc[r * dp + c] * inverse;
                lseDst[r] = empty ? float.NegativeInfinity : (max[r] + MathF.Log2(sum[r])) * AttentionMath.Ln2;
            }
        }

        /// <summary>
        /// One step of the online softmax for query rows [first, first + rows) against keys [j0, j0 + keys):
        /// S = Qs·Kᵀ, mask, per-row max and sum, then acc = diag(rescale)·acc + P·V.
        /// </summary>
        private void AttendTile(int first, int rows, int j0, int keys, int keyLength, float* qs, float* kt, float* vp, float* s,
            float* acc, float* max, float* sum, float* newMax, float* tileSum, float* rescale)
        {
            ref readonly var shape = ref _shape;
            int hs = shape.HeadSize, dp = _paddedHs, paddedKeys = AttentionTileGemm.RoundUp(keys);
            // S (rows, keys) = Qs (rows, hs) · Kᵀ (hs, keys)
            AttentionTileGemm.Multiply(rows, hs, paddedKeys, qs, hs, 1, AttentionPacking.Tile(kt, j0, hs, KeyTile), KeyTile, s, KeyTile, accumulate: false);
            for (int r = 0; r < rows; r++)
            {
                float* row = s + r * KeyTile;
                int visible = Math.Min(shape.VisibleKeys(first + r, keyLength) - j0, keys);
                if (visible < paddedKeys)
                {
                    if (visible <= 0)
                    {
                        new Span<float>(row, paddedKeys).Clear();
                        newMax[r] = max[r];
                        tileSum[r] = 0f;
                        continue;
                    }
                    for (int c = visible; c < paddedKeys; c++) row[c] = float.NegativeInfinity;
                }
                float tileMax = AttentionMath.Max(row, paddedKeys), m = tileMax > max[r] ? tileMax : max[r];
                newMax[r] = m;
                tileSum[r] = AttentionMath.Exp2InPlace(row, paddedKeys, m);
            }
            // For all rows at once: rescale = 2^(old max − new max), sum = sum·rescale + tile sum.
            AttentionMath.UpdateRunningSoftmax(max, newMax, sum, tileSum, rescale, rows);
            // acc (rows, dp) = diag(rescale)·acc + P (rows, keys) · V (keys, dp)
            AttentionTileGemm.Multiply(rows, keys, dp, s, KeyTile, 1, vp + (nint)j0 * dp, dp, acc, dp, accumulate: true, rescale);
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
