namespace Sharpformer.Kernels;

public static unsafe partial class BlockSparseAttention
{
    [ThreadStatic] private static ForwardJob? t_forwardJob;

    /// <summary>
    /// O = softmax(Q·Kᵀ·scale + mask + pattern)·V and lse = log Σ exp(scores) per row, visiting only the key
    /// tiles of <paramref name="pattern"/>. q, o: (B·nh, Tq, hs); k, v: (B·nh, Tk, hs); lse: (B·nh, Tq).
    /// Parallel over (batch·head, query tile).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, BlockSparsePattern pattern, Span<float> o, Span<float> lse)
    {
        ValidateInputs(q, k, v, keyLengths, shape, pattern);
        shape.RequireQuery(o.Length, nameof(o));
        shape.RequireRows(lse.Length, nameof(lse));
        var job = t_forwardJob ??= new ForwardJob();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse)
        {
            job.Prepare(pq, pk, pv, po, pl, keyLengths, shape, pattern);
            int items = shape.BatchHeads * pattern.QueryTiles;
            long work = 4L * pattern.TileSize * pattern.TileSize * shape.HeadSize * pattern.EntryCount / ((long)pattern.Groups * pattern.QueryTiles);
            Parallelism.For(items, job.TileBody, Math.Max(1, work));
            job.Release();
        }
    }

    private sealed class ForwardJob
    {
        public readonly Action<int> TileBody;
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse;
        private AttentionShape _shape;
        private BlockSparsePattern? _pattern;

        public ForwardJob() => TileBody = RunTile;

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, ReadOnlySpan<int> keyLengths, in AttentionShape shape,
            BlockSparsePattern pattern)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _shape = shape; _pattern = pattern;
            SparseRowMath.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
        }

        public void Release() => _pattern = null;

        private void RunTile(int item)
        {
            var pattern = _pattern!;
            int bh = item / pattern.QueryTiles, qt = item % pattern.QueryTiles;
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, tile = pattern.TileSize;
            int keyLength = _keyLengths[bh / shape.Heads];
            var (first, end) = pattern.EntriesOf(bh, qt);
            var scratch = RowScratch.Current;
            float* scores = scratch.Scores.Get(tile);
            float* acc = scratch.Output.Get(hs);
            float* k = _k + (nint)bh * tk * hs, v = _v + (nint)bh * tk * hs;
            int q0 = qt * tile, q1 = Math.Min(q0 + tile, tq);
            for (int i = q0; i < q1; i++)
            {
                float* qRow = _q + ((nint)bh * tq + i) * hs;
                int visible = shape.VisibleKeys(i, keyLength);
                float max = float.NegativeInfinity, sum = 0f;
                new Span<float>(acc, hs).Clear();
                for (int e = first; e < end; e++)
                {
                    int j0 = pattern.KeyTileOf(e) * tile, j1 = Math.Min(j0 + tile, visible);
                    if (j1 <= j0) continue;
                    float tileMax = TileScores(pattern, e, i, qRow, k, j0, j1, hs, shape.Scale, scores);
                    if (float.IsNegativeInfinity(tileMax)) continue;
                    // Online softmax: rescale what has been summed so far to the new maximum.
                    if (tileMax > max)
                    {
                        float rescale = MathF.Exp(max - tileMax); // 0 while nothing was seen (max = −∞)
                        sum *= rescale;
                        SparseRowMath.Scale(acc, hs, rescale);
                        max = tileMax;
                    }
                    for (int j = j0; j < j1; j++)
                    {
                        float s = scores[j - j0];
                        if (float.IsNegativeInfinity(s)) continue;
                        float p = MathF.Exp(s - max);
                        sum += p;
                        SparseRowMath.AddScaled(acc, v + (nint)j * hs, hs, p);
                    }
                }
                float* oRow = _o + ((nint)bh * tq + i) * hs;
                bool empty = sum == 0f;
                float inverse = empty ? 0f : 1f / sum;
                for (int c = 0; c < hs; c++) oRow[c] = acc[c] * inverse;
                _lse[(nint)bh * tq + i] = empty ? float.NegativeInfinity : max + MathF.Log(sum);
            }
        }
    }

    /// <summary>Per-thread row buffers: one tile of scores and one output row.</summary>
    private sealed class RowScratch
    {
        [ThreadStatic] private static RowScratch? t_current;
        public static RowScratch Current => t_current ??= new RowScratch();
        public readonly AttentionScratch Scores = new(Scratch), Output = new(Scratch);
    }
}
