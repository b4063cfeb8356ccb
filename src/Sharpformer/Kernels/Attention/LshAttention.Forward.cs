namespace Sharpformer.Kernels;

internal static unsafe partial class LshAttention
{
    [ThreadStatic] private static Job? t_job;

    /// <summary>
    /// O = softmax over every round's entries of q·k·scale, times V, and lse per row. q, o: (B·nh, Tq, hs);
    /// k, v: (B·nh, Tk, hs); lse: (B·nh, Tq); rotations: (rounds, hs, buckets / 2). A row with no entry gets
    /// O = 0 and lse = −∞.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, LshOptions options, ReadOnlySpan<float> rotations, Span<float> o, Span<float> lse)
        => Forward(q, k, v, keyLengths, shape, options, rotations, o, lse, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, LshOptions options, ReadOnlySpan<float> rotations, Span<float> o, Span<float> lse, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape, options, rotations);
        shape.RequireQuery(o.Length, nameof(o));
        shape.RequireRows(lse.Length, nameof(lse));
        var job = t_job ??= new Job();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pr = rotations)
        {
            job.Prepare(pq, pk, pv, po, pl, null, null, null, null, pr, keyLengths, shape, options, width);
            Parallelism.For(shape.BatchHeads, job.ForwardBody, Math.Max(1, job.WorkPerHead));
        }
    }

    /// <summary>One call's pointers, kept per calling thread so the parallel bodies are cached delegates.</summary>
    private sealed partial class Job
    {
        public readonly Action<int> ForwardBody, BackwardBody;
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _dO, _dQ, _dK, _dV, _rotations;
        private AttentionShape _shape;
        private LshOptions _options;
        private SimdWidth _simd;

        public Job()
        {
            ForwardBody = ForwardHead;
            BackwardBody = BackwardHead;
        }

        /// <summary>Rough forward flops per head: hashing, then per round and query two products over two chunks of keys.</summary>
        public long WorkPerHead => (long)_options.Rounds * _shape.HeadSize
            * ((long)(_shape.QueryLength + _shape.KeyLength) * _options.Buckets + 8L * _shape.QueryLength * _options.ChunkSize);

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, float* dO, float* dQ, float* dK, float* dV, float* rotations,
            ReadOnlySpan<int> keyLengths, in AttentionShape shape, in LshOptions options, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _dO = dO; _dQ = dQ; _dK = dK; _dV = dV; _rotations = rotations;
            _shape = shape; _options = options; _simd = width;
            FlashAttention.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
        }

        private void ForwardHead(int bh)
        {
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, dp = AttentionTileGemm.RoundUp(hs);
            int keyLength = _keyLengths[bh / shape.Heads], chunkSize = _options.ChunkSize;
            var scratch = HeadScratch.Current;
            float* q = _q + (nint)bh * tq * hs, k = _k + (nint)bh * tk * hs, v = _v + (nint)bh * tk * hs;
            // Per query over all rounds so far, in base 2: running max and sum, and the output (Tq, dp) unnormalised.
            float* max = scratch.Rows.Get(2L * tq), sum = max + tq;
            float* acc = scratch.Output.Get((long)tq * dp);
            new Span<float>(acc, tq * dp).Clear();
            for (int i = 0; i < tq; i++) { max[i] = float.NegativeInfinity; sum[i] = 0f; }
            float* qs = scratch.Queries.Get((long)chunkSize * dp);       // (C, dp) · scale · log₂e
            float* chunkOut = scratch.ChunkOutput.Get((long)chunkSize * dp); // (C, dp) P·V of one chunk
            float* rowMax = scratch.ChunkRows.Get(2L * chunkSize), rowSum = rowMax + chunkSize;
            float qScale = shape.Scale * AttentionMath.Log2E;
            for (int round = 0; round < _options.Rounds; round++)
            {
                var order = new RoundOrder(_simd, scratch, q, k, _rotations, round, shape, _options);
                int w = order.KeyWidth, ld = order.TileWidth;
                float* kt = scratch.KeysT.Get((long)order.Chunks * hs * w);  // (chunks, hs, w)
                float* vp = scratch.Values.Get((long)order.Chunks * w * dp); // (chunks·w, dp)
                float* s = scratch.Scores.Get((long)chunkSize * ld);         // (C, 2w) base-2 scores, then probabilities
                order.PackTransposed(k, hs, kt);
                order.PackRows(v, hs, vp, dp);
                for (int m = 0; m < order.Chunks; m++)
                {
                    var tile = order.Tile(m);
                    int rows = tile.Rows;
                    int* queries = order.QueryOrder + tile.FirstQuery;
                    AttentionPacking.GatherRows(q, hs, queries, rows, qs, rows, dp, qScale);
                    // S (rows, width) = Qs (rows, hs) · Kᵀ (hs, width), one key chunk at a time.
                    for (int t = 0; t * w < tile.Width; t++)
                        AttentionTileGemm.Multiply(_simd, rows, hs, w, qs, dp, 1, kt + (nint)(tile.FirstKeyTile + t) * hs * w, w, s + t * w, ld, accumulate: false);
                    for (int r = 0; r < rows; r++)
                    {
                        float* row = s + (nint)r * ld;
                        if (order.MaskRow(row, tile, queries[r], keyLength) == 0)
                        {
                            new Span<float>(row, tile.Width).Clear();
                            rowMax[r] = float.NegativeInfinity;
                            rowSum[r] = 0f;
                            continue;
                        }
                        rowMax[r] = AttentionMath.Max(_simd, row, tile.Width);
                        rowSum[r] = AttentionMath.Exp2InPlace(_simd, row, tile.Width, rowMax[r]);
                    }
                    // Chunk output (rows, dp) = P (rows, width) · V (width, dp)
                    AttentionTileGemm.Multiply(_simd, rows, tile.Width, dp, s, ld, 1, vp + (nint)tile.FirstKeyTile * w * dp, dp, chunkOut, dp, accumulate: false);
                    for (int r = 0; r < rows; r++)
                        if (rowSum[r] > 0f) FoldChunkRow(_simd, queries[r], rowMax[r], rowSum[r], chunkOut + (nint)r * dp, dp, max, sum, acc);
                }
            }
            float* o = _o + (nint)bh * tq * hs, lse = _lse + (nint)bh * tq;
            for (int i = 0; i < tq; i++)
            {
                bool empty = sum[i] == 0f;
                float inverse = empty ? 0f : 1f / sum[i];
                for (int c = 0; c < hs; c++) o[(nint)i * hs + c] = acc[(nint)i * dp + c] * inverse;
                lse[i] = empty ? float.NegativeInfinity : (max[i] + MathF.Log2(sum[i])) * AttentionMath.Ln2;
            }
        }

        /// <summary>
        /// Folds one chunk's entries of query i (base-2 max m, sum l, output row Σ 2^(s − m)·v) into its running
        /// softmax: with M' = max(M, m), acc = acc·2^(M − M') + row·2^(m − M') and the sum likewise.
        /// </summary>
        private static void FoldChunkRow(SimdWidth width, int i, float m, float l, float* row, int dp, float* max, float* sum, float* acc)
        {
            float newMax = Math.Max(max[i], m);
            float keep = AttentionMath.Exp2(max[i] - newMax), add = AttentionMath.Exp2(m - newMax); // keep = 0 while M = −∞
            float* accRow = acc + (nint)i * dp;
            if (keep != 1f) AttentionMath.Scale(width, accRow, dp, keep);
            AttentionMath.AddScaled(width, accRow, row, dp, add);
            sum[i] = sum[i] * keep + l * add;
            max[i] = newMax;
        }
    }
}
