namespace Sharpformer.Kernels;

public static unsafe partial class BlockSparseAttention
{
    [ThreadStatic] private static BackwardJob? t_backwardJob;

    /// <summary>
    /// Gradients of the block-sparse attention from the forward's o and lse, recomputing the visited tiles:
    /// D = rowsum(dO ⊙ O); per counted score P = exp(S − lse), dP = dO·vⱼ, dS = P·(dP − D)·scale;
    /// dQ += dS·K, dK += dSᵀ·Q, dV += Pᵀ·dO. dQ, dK, dV are overwritten. Parallel over batch·head: a work item
    /// owns all gradients of its head, so the summation order is fixed.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, BlockSparsePattern pattern,
        Span<float> dQ, Span<float> dK, Span<float> dV)
    {
        ValidateInputs(q, k, v, keyLengths, shape, pattern);
        shape.RequireBackwardBuffers(o.Length, lse.Length, dO.Length, dQ.Length, dK.Length, dV.Length);
        var job = t_backwardJob ??= new BackwardJob();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pdo = dO, pdq = dQ, pdk = dK, pdv = dV)
        {
            job.Prepare(pq, pk, pv, po, pl, pdo, pdq, pdk, pdv, keyLengths, shape, pattern);
            long work = 10L * pattern.TileSize * pattern.TileSize * shape.HeadSize * pattern.EntryCount / pattern.Groups;
            Parallelism.For(shape.BatchHeads, job.HeadBody, Math.Max(1, work));
            job.Release();
        }
    }

    private sealed class BackwardJob
    {
        public readonly Action<int> HeadBody;
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _dO, _dQ, _dK, _dV;
        private AttentionShape _shape;
        private BlockSparsePattern? _pattern;

        public BackwardJob() => HeadBody = RunHead;

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, float* dO, float* dQ, float* dK, float* dV,
            ReadOnlySpan<int> keyLengths, in AttentionShape shape, BlockSparsePattern pattern)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _dO = dO; _dQ = dQ; _dK = dK; _dV = dV; _shape = shape; _pattern = pattern;
            SparseRowMath.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
        }

        public void Release() => _pattern = null;

        private void RunHead(int bh)
        {
            var pattern = _pattern!;
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, tile = pattern.TileSize;
            int keyLength = _keyLengths[bh / shape.Heads];
            float* q = _q + (nint)bh * tq * hs, k = _k + (nint)bh * tk * hs, v = _v + (nint)bh * tk * hs;
            float* o = _o + (nint)bh * tq * hs, dO = _dO + (nint)bh * tq * hs, lse = _lse + (nint)bh * tq;
            float* dQ = _dQ + (nint)bh * tq * hs, dK = _dK + (nint)bh * tk * hs, dV = _dV + (nint)bh * tk * hs;
            new Span<float>(dQ, tq * hs).Clear();
            new Span<float>(dK, tk * hs).Clear();
            new Span<float>(dV, tk * hs).Clear();
            float* scores = RowScratch.Current.Scores.Get(tile);
            for (int qt = 0; qt < pattern.QueryTiles; qt++)
            {
                var (first, end) = pattern.EntriesOf(bh, qt);
                int q0 = qt * tile, q1 = Math.Min(q0 + tile, tq);
                for (int i = q0; i < q1; i++)
                {
                    if (float.IsNegativeInfinity(lse[i])) continue;
                    float* qRow = q + (nint)i * hs, dORow = dO + (nint)i * hs, dQRow = dQ + (nint)i * hs;
                    float delta = SparseRowMath.Dot(dORow, o + (nint)i * hs, hs); // D = rowsum(dO ⊙ O)
                    int visible = shape.VisibleKeys(i, keyLength);
                    for (int e = first; e < end; e++)
                    {
                        int j0 = pattern.KeyTileOf(e) * tile, j1 = Math.Min(j0 + tile, visible);
                        if (j1 <= j0) continue;
                        TileScores(pattern, e, i, qRow, k, j0, j1, hs, shape.Scale, scores);
                        for (int j = j0; j < j1; j++)
                        {
                            float s = scores[j - j0];
                            if (float.IsNegativeInfinity(s)) continue;
                            float p = MathF.Exp(s - lse[i]);
                            float dP = SparseRowMath.Dot(dORow, v + (nint)j * hs, hs);
                            float dS = p * (dP - delta) * shape.Scale;
                            SparseRowMath.AddScaled(dQRow, k + (nint)j * hs, hs, dS);
                            SparseRowMath.AddScaled(dK + (nint)j * hs, qRow, hs, dS);
                            SparseRowMath.AddScaled(dV + (nint)j * hs, dORow, hs, p);
                        }
                    }
                }
            }
        }
    }
}
