namespace Sharpformer.Kernels;

internal static unsafe partial class FlashAttention
{
    [ThreadStatic] private static BackwardJob? t_backwardJob;

    /// <summary>
    /// Gradients of attention from the forward's o and lse, recomputing each score tile instead of storing P:
    /// D = rowsum(dO ⊙ O); per tile P = exp(S − lse), dP = dO·Vᵀ, dS = P ⊙ (dP − D)·scale; dQ += dS·K,
    /// dK += dSᵀ·Q, dV += Pᵀ·dO. dQ, dK, dV are overwritten.
    /// <para>Parallel over (batch·head, key group): a work item owns the dK and dV rows of its keys and its own
    /// partial dQ. With fewer than <see cref="MinBackwardItems"/> heads each head's blocks of
    /// <see cref="BackwardKeys"/> keys are dealt round-robin into groups and the partial dQs are added in group order afterwards. The grouping depends
    /// only on the shape, so the bits do not depend on the thread count.</para>
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape,
        Span<float> dQ, Span<float> dK, Span<float> dV) => Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape,
        Span<float> dQ, Span<float> dK, Span<float> dV, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape);
        shape.RequireBackwardBuffers(o.Length, lse.Length, dO.Length, dQ.Length, dK.Length, dV.Length);
        var job = t_backwardJob ??= new BackwardJob();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pdo = dO, pdq = dQ, pdk = dK, pdv = dV)
        {
            job.Prepare(pq, pk, pv, po, pl, pdo, pdq, pdk, pdv, keyLengths, shape, width);
            long work = 10L * shape.QueryLength * shape.KeyLength * shape.HeadSize / job.Groups;
            Parallelism.For(shape.BatchHeads * job.Groups, job.GroupBody, work);
            if (job.Groups > 1) Parallelism.For(shape.BatchHeads, job.SumBody, (long)job.Groups * shape.QueryLength * shape.HeadSize);
        }
    }

    /// <summary>Work items the backward aims for: enough to keep every core busy when there are few heads.</summary>
    internal const int MinBackwardItems = 8;

    /// <summary>
    /// Keys the backward handles together: each query tile's Q, dO and dQ are fetched once for this many keys
    /// (their dK and dV sums, 2·256·hs floats, stay in L2).
    /// </summary>
    internal const int BackwardKeys = 4 * KeyTile;

    /// <summary>Key groups per head: 1 with many heads, otherwise enough for about <see cref="MinBackwardItems"/> items.</summary>
    internal static int BackwardGroups(in AttentionShape shape)
    {
        int keyBlocks = (shape.KeyLength + BackwardKeys - 1) / BackwardKeys;
        int wanted = (MinBackwardItems + shape.BatchHeads - 1) / shape.BatchHeads;
        return Math.Clamp(wanted, 1, keyBlocks);
    }

    private sealed class BackwardJob
    {
        public readonly Action<int> GroupBody, SumBody;
        private readonly AttentionScratch _partialQueryGrads = new(BackwardScratch);
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _dO, _dQ, _dK, _dV, _partials;
        private AttentionShape _shape;
        private SimdWidth _simd;
        public int Groups;

        public BackwardJob()
        {
            GroupBody = RunGroup;
            SumBody = SumPartials;
        }

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, float* dO, float* dQ, float* dK, float* dV,
            ReadOnlySpan<int> keyLengths, in AttentionShape shape, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _dO = dO; _dQ = dQ; _dK = dK; _dV = dV; _shape = shape; _simd = width;
            CopyKeyLengths(ref _keyLengths, keyLengths, shape);
            Groups = BackwardGroups(shape);
            // Partial dQ per (head, group): (B·nh, groups, Tq, dp); with one group each thread keeps its own.
            _partials = Groups == 1 ? null
                : _partialQueryGrads.Get((long)shape.BatchHeads * Groups * shape.QueryLength * AttentionTileGemm.RoundUp(shape.HeadSize));
        }

        /// <summary>dQ of head bh = scale · Σ over groups (in group order) of the partial dQs.</summary>
        private void SumPartials(int bh)
        {
            int tq = _shape.QueryLength, hs = _shape.HeadSize, dp = AttentionTileGemm.RoundUp(hs);
            AttentionTileSteps.SumPartialQueryGrads(_partials + (long)bh * Groups * tq * dp, Groups, tq, dp, _dQ + (nint)bh * tq * hs, hs, _shape.Scale);
        }

        private void RunGroup(int item)
        {
            int bh = item / Groups, group = item % Groups;
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
            int dp = AttentionTileGemm.RoundUp(hs);
            int keyLength = _keyLengths[bh / shape.Heads];
            var scratch = HeadBuffers;

            // This head's operands in tile-friendly layouts: rows padded to dp, K and V transposed in key tiles of (hs, KeyTile).
            float* qSrc = _q + (nint)bh * tq * hs, kSrc = _k + (nint)bh * tk * hs, vSrc = _v + (nint)bh * tk * hs;
            float* oSrc = _o + (nint)bh * tq * hs, dOSrc = _dO + (nint)bh * tq * hs;
            float* qs = scratch.Queries.Get((long)tq * dp);
            float* dOp = scratch.OutputGrad.Get((long)tq * dp);
            float* kp = scratch.Keys.Get((long)tk * dp);
            float* kt = scratch.KeysT.Get(AttentionPacking.TiledSize(tk, hs, KeyTile));
            float* vt = scratch.ValuesT.Get(AttentionPacking.TiledSize(tk, hs, KeyTile));
            float* dQacc = Groups == 1 ? scratch.QueryGrad.Get((long)tq * dp) : _partials + ((long)bh * Groups + group) * tq * dp;
            float* rowLse2 = scratch.Rows.Get(2L * tq), rowDelta = rowLse2 + tq;
            float* dKacc = scratch.KeyGrad.Get(BackwardKeys * dp);   // (block keys, dp)
            float* dVacc = scratch.ValueGrad.Get(BackwardKeys * dp);
            float* p = scratch.Probabilities.Get(QueryTile * KeyTile);
            float* g = scratch.ScoreGrad.Get(QueryTile * KeyTile);

            AttentionPacking.PadRows(qSrc, tq, hs, qs, dp, shape.Scale * AttentionMath.Log2E);
            AttentionPacking.PadRows(dOSrc, tq, hs, dOp, dp, 1f);
            AttentionPacking.PadRows(kSrc, tk, hs, kp, dp, 1f);
            AttentionPacking.TransposeTiles(kSrc, tk, hs, kt, KeyTile);
            AttentionPacking.TransposeTiles(vSrc, tk, hs, vt, KeyTile);
            new Span<float>(dQacc, tq * dp).Clear();
            for (int i = 0; i < tq; i++)
            {
                rowLse2[i] = _lse[(nint)bh * tq + i] * AttentionMath.Log2E;
                rowDelta[i] = AttentionMath.Dot(_simd, dOSrc + (nint)i * hs, oSrc + (nint)i * hs, hs); // D = rowsum(dO ⊙ O)
            }

            float* dKDst = _dK + (nint)bh * tk * hs, dVDst = _dV + (nint)bh * tk * hs;
            // This group's blocks of keys: group, group + Groups, … (round-robin balances the causal triangle).
            for (int b0 = group * BackwardKeys; b0 < keyLength; b0 += Groups * BackwardKeys)
            {
                int blockEnd = Math.Min(b0 + BackwardKeys, keyLength);
                new Span<float>(dKacc, (blockEnd - b0) * dp).Clear();
                new Span<float>(dVacc, (blockEnd - b0) * dp).Clear();
                // Causal: queries before b0 − (Tk − Tq) cannot see this block.
                int firstQuery = shape.Causal ? Math.Max(0, b0 - shape.CausalOffset) : 0;
                for (int q0 = firstQuery / QueryTile * QueryTile; q0 < tq; q0 += QueryTile)
                {
                    int rows = Math.Min(QueryTile, tq - q0);
                    int tileKeyEnd = Math.Min(shape.VisibleKeys(q0 + rows - 1, keyLength), blockEnd);
                    for (int j0 = b0; j0 < tileKeyEnd; j0 += KeyTile)
                        BackwardTile(q0, rows, j0, Math.Min(KeyTile, blockEnd - j0), keyLength, qs, dOp, kp, kt, vt,
                            rowLse2, rowDelta, p, g, dKacc + (nint)(j0 - b0) * dp, dVacc + (nint)(j0 - b0) * dp, dQacc);
                }
                // dS = G·scale and Qs = Q·scale·log₂e, so dK = Gᵀ·Qs·ln 2.
                AttentionPacking.UnpadRows(dKacc, blockEnd - b0, dp, dKDst + (nint)b0 * hs, hs, AttentionMath.Ln2);
                AttentionPacking.UnpadRows(dVacc, blockEnd - b0, dp, dVDst + (nint)b0 * hs, hs, 1f);
            }
            if (group > 0) return;
            // Keys hidden by padding receive no gradient.
            new Span<float>(dKDst + (nint)keyLength * hs, (tk - keyLength) * hs).Clear();
            new Span<float>(dVDst + (nint)keyLength * hs, (tk - keyLength) * hs).Clear();
            if (Groups == 1) AttentionPacking.UnpadRows(dQacc, tq, dp, _dQ + (nint)bh * tq * hs, hs, shape.Scale);
        }

        /// <summary>
        /// Query rows [q0, q0 + rows) against keys [j0, j0 + keys): S and P = 2^(S − lse·log₂e) with the mask,
        /// dP = dO·Vᵀ, G = P ⊙ (dP − D); then dV += Pᵀ·dO, dK += Gᵀ·Qs, dQ += G·K.
        /// </summary>
        private void BackwardTile(int q0, int rows, int j0, int keys, int keyLength, float* qs, float* dOp, float* kp, float* kt,
            float* vt, float* rowLse2, float* rowDelta, float* p, float* g, float* dKacc, float* dVacc, float* dQacc)
        {
            int hs = _shape.HeadSize, dp = AttentionTileGemm.RoundUp(hs);
            float* qTile = qs + (nint)q0 * dp, dOTile = dOp + (nint)q0 * dp;
            AttentionTileSteps.BackwardScores(_simd, rows, hs, AttentionTileGemm.RoundUp(keys), qTile, dOTile, dp,
                AttentionPacking.Tile(kt, j0, hs, KeyTile), AttentionPacking.Tile(vt, j0, hs, KeyTile), KeyTile, p, g, KeyTile,
                CausalBand.For(_shape.Causal, CausalSkip.KeyColumns, AttentionTileSteps.Diagonal(_shape, q0, j0)));
            AttentionTileSteps.Gradients(_simd, _shape, keyLength, q0, rows, j0, keys, p, g, KeyTile, qTile, dOTile, dp, kp + (nint)j0 * dp,
                rowLse2 + q0, rowDelta + q0, dKacc, dVacc, dQacc + (nint)q0 * dp);
        }
    }

    [ThreadStatic] private static AttentionBackwardBuffers? t_headBuffers;

    /// <summary>This thread's backward buffers, counted by <see cref="BackwardScratch"/>.</summary>
    private static AttentionBackwardBuffers HeadBuffers => t_headBuffers ??= new AttentionBackwardBuffers(BackwardScratch);
}
