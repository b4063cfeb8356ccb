namespace Sharpformer.Kernels;

internal static unsafe partial class FullAttention
{
    [ThreadStatic] private static BackwardJob? t_backwardJob;

    /// <summary>
    /// Gradients from the saved probabilities (overwritten, not accumulated): dP = dO·Vᵀ,
    /// dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale (rowsum(P ⊙ dP) equals rowsum(dO ⊙ O)), dQ = dS·K, dK = dSᵀ·Q,
    /// dV = Pᵀ·dO. Parallel over batch·head, so the bits do not depend on the thread count.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probs,
        ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, Span<float> dQ, Span<float> dK, Span<float> dV)
        => Backward(q, k, v, probs, dO, keyLengths, shape, dQ, dK, dV, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probs,
        ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, Span<float> dQ, Span<float> dK, Span<float> dV, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape);
        shape.RequireScores(probs.Length, nameof(probs));
        shape.RequireQuery(dO.Length, nameof(dO));
        shape.RequireQuery(dQ.Length, nameof(dQ));
        shape.RequireKey(dK.Length, nameof(dK));
        shape.RequireKey(dV.Length, nameof(dV));
        var job = t_backwardJob ??= new BackwardJob();
        fixed (float* pq = q, pk = k, pv = v, pp = probs, pdo = dO, pdq = dQ, pdk = dK, pdv = dV)
        {
            job.Prepare(pq, pk, pv, pp, pdo, pdq, pdk, pdv, keyLengths, shape, width);
            Parallelism.For(shape.BatchHeads, job.HeadBody, 8L * shape.QueryLength * shape.KeyLength * shape.HeadSize);
        }
    }

    private sealed class BackwardJob
    {
        public readonly Action<int> HeadBody;
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _probs, _dO, _dQ, _dK, _dV;
        private AttentionShape _shape;
        private SimdWidth _simd;

        public BackwardJob() => HeadBody = RunHead;

        public void Prepare(float* q, float* k, float* v, float* probs, float* dO, float* dQ, float* dK, float* dV,
            ReadOnlySpan<int> keyLengths, in AttentionShape shape, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _probs = probs; _dO = dO; _dQ = dQ; _dK = dK; _dV = dV; _shape = shape; _simd = width;
            FlashAttention.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
        }

        private void RunHead(int bh)
        {
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
            int dp = AttentionTileGemm.RoundUp(hs), tkp = AttentionTileGemm.RoundUp(tk);
            int keyLength = _keyLengths[bh / shape.Heads];
            var scratch = HeadScratch.Current;

            float* qSrc = _q + (nint)bh * tq * hs, kSrc = _k + (nint)bh * tk * hs, vSrc = _v + (nint)bh * tk * hs;
            float* dOSrc = _dO + (nint)bh * tq * hs;
            float* dQDst = _dQ + (nint)bh * tq * hs, dKDst = _dK + (nint)bh * tk * hs, dVDst = _dV + (nint)bh * tk * hs;
            // Rows already a whole number of vectors (hs = dp) are used and written where they are; otherwise
            // each is copied into (T, dp) rows with zero columns past hs.
            bool padded = dp != hs;
            float* qp = padded ? scratch.Queries.Get((long)tq * dp) : qSrc;       // (Tq, dp)
            float* dOp = padded ? scratch.OutputGrad.Get((long)tq * dp) : dOSrc;  // (Tq, dp)
            float* kp = padded ? scratch.Keys.Get((long)tk * dp) : kSrc;          // (Tk, dp)
            float* vt = scratch.ValuesT.Get(AttentionPacking.TiledSize(tk, hs, KeyTile)); // Vᵀ in key tiles of (hs, KeyTile)
            float* dKacc = padded ? scratch.KeyGrad.Get((long)tk * dp) : dKDst;
            float* dVacc = padded ? scratch.ValueGrad.Get((long)tk * dp) : dVDst;
            // Row stride of the (rows, keys) blocks: one vector past a multiple of 16, so that walking down a
            // column (the Aᵀ·B products) does not hit the same cache sets at every row when Tk is a power of two.
            int ld = tkp + AttentionTileGemm.Lanes;
            float* dS = scratch.ScoreGrad.Get((long)QueryTile * ld);   // (rows, ld)
            float* pCopy = scratch.Probabilities.Get((long)QueryTile * ld); // (rows, ld)
            float* dQTile = padded ? scratch.QueryGrad.Get(QueryTile * dp) : null;

            if (padded)
            {
                AttentionPacking.PadRows(qSrc, tq, hs, qp, dp, 1f);
                AttentionPacking.PadRows(dOSrc, tq, hs, dOp, dp, 1f);
                AttentionPacking.PadRows(kSrc, tk, hs, kp, dp, 1f);
            }
            AttentionPacking.TransposeTiles(vSrc, tk, hs, vt, KeyTile);
            new Span<float>(dKacc, tk * dp).Clear();
            new Span<float>(dVacc, tk * dp).Clear();

            float* probs = _probs + (nint)bh * tq * tk;
            for (int q0 = 0; q0 < tq; q0 += QueryTile)
            {
                int rows = Math.Min(QueryTile, tq - q0);
                int keyEnd = shape.VisibleKeys(q0 + rows - 1, keyLength);
                if (keyEnd == 0)
                {
                    new Span<float>(dQDst + (nint)q0 * hs, rows * hs).Clear();
                    continue;
                }
                float* pTile = probs + (nint)q0 * tk;
                // Under a causal mask every product below skips what the mask hides from a whole block of rows
                // (P and dS are 0 there): query row q0 + i sees keys up to diagonal + i.
                int diagonal = q0 + shape.CausalOffset;
                // dP (rows, keyEnd) = dO · Vᵀ
                for (int j0 = 0; j0 < keyEnd; j0 += KeyTile)
                    AttentionTileGemm.Multiply(_simd, rows, hs, AttentionTileGemm.RoundUp(Math.Min(KeyTile, keyEnd - j0)), dOp + (nint)q0 * dp, dp, 1,
                        AttentionPacking.Tile(vt, j0, hs, KeyTile), KeyTile, dS + j0, ld,
                        accumulate: false, band: CausalBand.For(shape.Causal, CausalSkip.KeyColumns, diagonal - j0));
                for (int r = 0; r < rows; r++)
                {
                    float* pRow = pCopy + (nint)r * ld, gRow = dS + (nint)r * ld;
                    int visible = shape.VisibleKeys(q0 + r, keyLength);
                    new ReadOnlySpan<float>(pTile + (nint)r * tk, keyEnd).CopyTo(new Span<float>(pRow, keyEnd));
                    float delta = AttentionMath.Dot(_simd, pRow, gRow, visible);
                    AttentionMath.SoftmaxGradient(_simd, pRow, gRow, visible, delta, shape.Scale);
                    new Span<float>(gRow + visible, keyEnd - Math.Min(visible, keyEnd)).Clear();
                }
                // dQ (rows, dp) = dS · K;  dK (keyEnd, dp) += dSᵀ · Q;  dV += Pᵀ · dO
                var keyDepth = CausalBand.For(shape.Causal, CausalSkip.KeyDepth, diagonal);
                var queryDepth = CausalBand.For(shape.Causal, CausalSkip.QueryDepth, diagonal);
                float* dQRows = padded ? dQTile : dQDst + (nint)q0 * hs;
                AttentionTileGemm.Multiply(_simd, rows, keyEnd, dp, dS, ld, 1, kp, dp, dQRows, dp, accumulate: false, band: keyDepth);
                if (padded) AttentionPacking.UnpadRows(dQTile, rows, dp, dQDst + (nint)q0 * hs, hs, 1f);
                AttentionTileGemm.Multiply(_simd, keyEnd, rows, dp, dS, 1, ld, qp + (nint)q0 * dp, dp, dKacc, dp, accumulate: true, band: queryDepth);
                AttentionTileGemm.Multiply(_simd, keyEnd, rows, dp, pCopy, 1, ld, dOp + (nint)q0 * dp, dp, dVacc, dp, accumulate: true, band: queryDepth);
            }
            if (padded)
            {
                AttentionPacking.UnpadRows(dKacc, tk, dp, dKDst, hs, 1f);
                AttentionPacking.UnpadRows(dVacc, tk, dp, dVDst, hs, 1f);
            }
        }
    }

    /// <summary>Per-thread buffers of the backward pass: one head's packed operands and gradient sums.</summary>
    private sealed class HeadScratch
    {
        [ThreadStatic] private static HeadScratch? t_current;
        public static HeadScratch Current => t_current ??= new HeadScratch();
        public readonly AttentionScratch Queries = new(BackwardScratch), OutputGrad = new(BackwardScratch), Keys = new(BackwardScratch),
            ValuesT = new(BackwardScratch), KeyGrad = new(BackwardScratch), ValueGrad = new(BackwardScratch), ScoreGrad = new(BackwardScratch),
            Probabilities = new(BackwardScratch),
            QueryGrad = new(BackwardScratch);
    }
}
