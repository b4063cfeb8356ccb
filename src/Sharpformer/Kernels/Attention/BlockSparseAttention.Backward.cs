namespace Sharpformer.Kernels;

internal static unsafe partial class BlockSparseAttention
{
    [ThreadStatic] private static BackwardJob? t_backwardJob;

    /// <summary>
    /// Gradients of the block-sparse attention from the forward's o and lse, recomputing each visited tile:
    /// D = rowsum(dO ⊙ O); per tile P = exp(S − lse), dP = dO·Vᵀ, dS = P ⊙ (dP − D)·scale; dQ += dS·K,
    /// dK += dSᵀ·Q, dV += Pᵀ·dO. dQ, dK, dV are overwritten.
    /// <para>Parallel over (batch·head, key group) as <see cref="FlashAttention.Backward"/>: a work item owns the
    /// dK and dV of its key tiles and its own partial dQ. With fewer than <see cref="FlashAttention.MinBackwardItems"/>
    /// heads the key tiles of a head are dealt round-robin into groups and the partial dQs are added in group order;
    /// the grouping depends only on the shape, so the bits do not depend on the thread count.</para>
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, BlockSparsePattern pattern,
        Span<float> dQ, Span<float> dK, Span<float> dV) => Backward(q, k, v, o, lse, dO, keyLengths, shape, pattern, dQ, dK, dV, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, BlockSparsePattern pattern,
        Span<float> dQ, Span<float> dK, Span<float> dV, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape, pattern);
        shape.RequireBackwardBuffers(o.Length, lse.Length, dO.Length, dQ.Length, dK.Length, dV.Length);
        var job = t_backwardJob ??= new BackwardJob();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pdo = dO, pdq = dQ, pdk = dK, pdv = dV)
        {
            job.Prepare(pq, pk, pv, po, pl, pdo, pdq, pdk, pdv, keyLengths, shape, pattern, width);
            long work = 10L * pattern.TileSize * pattern.TileSize * shape.HeadSize * pattern.EntryCount / ((long)pattern.Groups * job.Groups);
            Parallelism.For(shape.BatchHeads * job.Groups, job.GroupBody, Math.Max(1, work));
            if (job.Groups > 1) Parallelism.For(shape.BatchHeads, job.SumBody, (long)job.Groups * shape.QueryLength * shape.HeadSize);
            job.Release();
        }
    }

    /// <summary>Key groups per head: 1 with many heads, otherwise enough for about <see cref="FlashAttention.MinBackwardItems"/> items.</summary>
    private static int BackwardGroups(in AttentionShape shape, BlockSparsePattern pattern)
    {
        int wanted = (FlashAttention.MinBackwardItems + shape.BatchHeads - 1) / shape.BatchHeads;
        return Math.Clamp(wanted, 1, pattern.KeyTiles);
    }

    private sealed class BackwardJob
    {
        public readonly Action<int> GroupBody, SumBody;
        private readonly AttentionScratch _partialQueryGrads = new(BackwardScratch);
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _dO, _dQ, _dK, _dV, _partials;
        private AttentionShape _shape;
        private BlockSparsePattern? _pattern;
        private SimdWidth _simd;
        public int Groups;

        public BackwardJob()
        {
            GroupBody = RunGroup;
            SumBody = SumPartials;
        }

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, float* dO, float* dQ, float* dK, float* dV,
            ReadOnlySpan<int> keyLengths, in AttentionShape shape, BlockSparsePattern pattern, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _dO = dO; _dQ = dQ; _dK = dK; _dV = dV; _shape = shape; _pattern = pattern; _simd = width;
            FlashAttention.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
            Groups = BackwardGroups(shape, pattern);
            // Partial dQ per (head, group): (B·nh, groups, Tq, dp); with one group each thread keeps its own.
            _partials = Groups == 1 ? null
                : _partialQueryGrads.Get((long)shape.BatchHeads * Groups * shape.QueryLength * AttentionTileGemm.RoundUp(shape.HeadSize));
        }

        public void Release() => _pattern = null;

        private void SumPartials(int bh)
        {
            int tq = _shape.QueryLength, hs = _shape.HeadSize, dp = AttentionTileGemm.RoundUp(hs);
            AttentionTileSteps.SumPartialQueryGrads(_partials + (long)bh * Groups * tq * dp, Groups, tq, dp, _dQ + (nint)bh * tq * hs, hs, _shape.Scale);
        }

        private void RunGroup(int item)
        {
            var pattern = _pattern!;
            int bh = item / Groups, group = item % Groups;
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, dp = AttentionTileGemm.RoundUp(hs);
            int tile = pattern.TileSize, width = AttentionTileGemm.RoundUp(tile);
            int keyLength = _keyLengths[bh / shape.Heads];
            var scratch = HeadBuffers;

            // This head's operands in tile-friendly layouts: rows padded to dp, K and V transposed in key tiles of (hs, width).
            float* qSrc = _q + (nint)bh * tq * hs, kSrc = _k + (nint)bh * tk * hs, vSrc = _v + (nint)bh * tk * hs;
            float* oSrc = _o + (nint)bh * tq * hs, dOSrc = _dO + (nint)bh * tq * hs;
            long tiled = AttentionPacking.TiledSize(tk, hs, tile, width);
            float* qs = scratch.Queries.Get((long)tq * dp);
            float* dOp = scratch.OutputGrad.Get((long)tq * dp);
            float* kp = scratch.Keys.Get((long)tk * dp);
            float* kt = scratch.KeysT.Get(tiled);
            float* vt = scratch.ValuesT.Get(tiled);
            float* dQacc = Groups == 1 ? scratch.QueryGrad.Get((long)tq * dp) : _partials + ((long)bh * Groups + group) * tq * dp;
            float* dKacc = scratch.KeyGrad.Get((long)tk * dp);
            float* dVacc = scratch.ValueGrad.Get((long)tk * dp);
            float* rowLse2 = scratch.Rows.Get(2L * tq), rowDelta = rowLse2 + tq;
            float* p = scratch.Probabilities.Get((long)tile * width);
            float* g = scratch.ScoreGrad.Get((long)tile * width);

            AttentionPacking.PadRows(qSrc, tq, hs, qs, dp, shape.Scale * AttentionMath.Log2E);
            AttentionPacking.PadRows(dOSrc, tq, hs, dOp, dp, 1f);
            AttentionPacking.PadRows(kSrc, tk, hs, kp, dp, 1f);
            AttentionPacking.TransposeTiles(kSrc, tk, hs, kt, tile, width);
            AttentionPacking.TransposeTiles(vSrc, tk, hs, vt, tile, width);
            new Span<float>(dQacc, tq * dp).Clear();
            new Span<float>(dKacc, tk * dp).Clear();
            new Span<float>(dVacc, tk * dp).Clear();
            for (int i = 0; i < tq; i++)
            {
                rowLse2[i] = _lse[(nint)bh * tq + i] * AttentionMath.Log2E;
                rowDelta[i] = AttentionMath.Dot(_simd, dOSrc + (nint)i * hs, oSrc + (nint)i * hs, hs); // D = rowsum(dO ⊙ O)
            }

            for (int qt = 0; qt < pattern.QueryTiles; qt++)
            {
                int q0 = qt * tile, rows = Math.Min(tile, tq - q0);
                int keyEnd = shape.VisibleKeys(q0 + rows - 1, keyLength);
                float* qTile = qs + (nint)q0 * dp, dOTile = dOp + (nint)q0 * dp;
                var (first, end) = pattern.EntriesOf(bh, qt);
                for (int e = first; e < end; e++)
                {
                    int keyTile = pattern.KeyTileOf(e), j0 = keyTile * tile;
                    if (keyTile % Groups != group) continue;
                    int keys = TileKeys(keyTile, tile, keyEnd);
                    if (keys <= 0) continue;
                    int paddedKeys = AttentionTileGemm.RoundUp(keys);
                    AttentionTileSteps.BackwardScores(_simd, rows, hs, paddedKeys, qTile, dOTile, dp,
                        kt + (long)keyTile * hs * width, vt + (long)keyTile * hs * width, width, p, g, width,
                        CausalBand.For(shape.Causal, CausalSkip.KeyColumns, AttentionTileSteps.Diagonal(shape, q0, j0)));
                    if (!pattern.IsWhole(e)) MaskOutsideBand(pattern, q0, rows, j0, paddedKeys, p, width);
                    AttentionTileSteps.Gradients(_simd, shape, keyLength, q0, rows, j0, keys, p, g, width, qTile, dOTile, dp, kp + (nint)j0 * dp,
                        rowLse2 + q0, rowDelta + q0, dKacc + (nint)j0 * dp, dVacc + (nint)j0 * dp, dQacc + (nint)q0 * dp);
                }
            }

            // This group's key tiles (keys no visited tile reaches, padding included, get zeros). dS = G·scale and
            // Qs = Q·scale·log₂e, so dK = Gᵀ·Qs·ln 2.
            float* dKDst = _dK + (nint)bh * tk * hs, dVDst = _dV + (nint)bh * tk * hs;
            for (int j0 = group * tile; j0 < tk; j0 += Groups * tile)
            {
                int keys = Math.Min(tile, tk - j0);
                AttentionPacking.UnpadRows(dKacc + (nint)j0 * dp, keys, dp, dKDst + (nint)j0 * hs, hs, AttentionMath.Ln2);
                AttentionPacking.UnpadRows(dVacc + (nint)j0 * dp, keys, dp, dVDst + (nint)j0 * hs, hs, 1f);
            }
            if (Groups == 1) AttentionPacking.UnpadRows(dQacc, tq, dp, _dQ + (nint)bh * tq * hs, hs, shape.Scale);
        }
    }

    [ThreadStatic] private static AttentionBackwardBuffers? t_headBuffers;

    /// <summary>This thread's backward buffers, counted by <see cref="BackwardScratch"/>.</summary>
    private static AttentionBackwardBuffers HeadBuffers => t_headBuffers ??= new AttentionBackwardBuffers(BackwardScratch);
}
