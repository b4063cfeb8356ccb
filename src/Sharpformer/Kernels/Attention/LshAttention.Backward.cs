namespace Sharpformer.Kernels;

internal static unsafe partial class LshAttention
{
    /// <summary>
    /// Gradients of the hashing attention from the forward's o and lse, rehashing and recomputing every entry:
    /// D = rowsum(dO ⊙ O); per entry P = exp(S − lse), dS = P·(dO·vⱼ − D)·scale; dQ += dS·K, dK += dSᵀ·Q,
    /// dV += Pᵀ·dO. dQ, dK, dV are overwritten. A work item owns one head's gradients.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, LshOptions options,
        ReadOnlySpan<float> rotations, Span<float> dQ, Span<float> dK, Span<float> dV)
        => Backward(q, k, v, o, lse, dO, keyLengths, shape, options, rotations, dQ, dK, dV, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, LshOptions options,
        ReadOnlySpan<float> rotations, Span<float> dQ, Span<float> dK, Span<float> dV, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape, options, rotations);
        shape.RequireBackwardBuffers(o.Length, lse.Length, dO.Length, dQ.Length, dK.Length, dV.Length);
        var job = t_job ??= new Job();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pdo = dO, pdq = dQ, pdk = dK, pdv = dV, pr = rotations)
        {
            job.Prepare(pq, pk, pv, po, pl, pdo, pdq, pdk, pdv, pr, keyLengths, shape, options, width);
            Parallelism.For(shape.BatchHeads, job.BackwardBody, Math.Max(1, 3 * job.WorkPerHead));
        }
    }

    private sealed partial class Job
    {
        private void BackwardHead(int bh)
        {
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, dp = AttentionTileGemm.RoundUp(hs);
            int keyLength = _keyLengths[bh / shape.Heads], chunkSize = _options.ChunkSize;
            var scratch = HeadScratch.Current;
            float* q = _q + (nint)bh * tq * hs, k = _k + (nint)bh * tk * hs, v = _v + (nint)bh * tk * hs;
            float* o = _o + (nint)bh * tq * hs, dO = _dO + (nint)bh * tq * hs, lse = _lse + (nint)bh * tq;
            float* dQ = _dQ + (nint)bh * tq * hs, dK = _dK + (nint)bh * tk * hs, dV = _dV + (nint)bh * tk * hs;
            new Span<float>(dQ, tq * hs).Clear();
            new Span<float>(dK, tk * hs).Clear();
            new Span<float>(dV, tk * hs).Clear();
            float* delta = scratch.Rows.Get(tq);
            for (int i = 0; i < tq; i++) delta[i] = AttentionMath.Dot(_simd, dO + (nint)i * hs, o + (nint)i * hs, hs); // D = rowsum(dO ⊙ O)
            float* qs = scratch.Queries.Get((long)chunkSize * dp);         // (C, dp) · scale · log₂e
            float* dOs = scratch.OutputGrad.Get((long)chunkSize * dp);     // (C, dp)
            float* chunkDQ = scratch.ChunkOutput.Get((long)chunkSize * dp); // (C, dp) G·K of one chunk
            float qScale = shape.Scale * AttentionMath.Log2E;
            for (int round = 0; round < _options.Rounds; round++)
            {
                var order = new RoundOrder(_simd, scratch, q, k, _rotations, round, shape, _options);
                int w = order.KeyWidth, ld = order.TileWidth;
                long packedRows = (long)order.Chunks * w;
                float* kt = scratch.KeysT.Get(packedRows * hs);   // (chunks, hs, w)
                float* vt = scratch.ValuesT.Get(packedRows * hs); // (chunks, hs, w)
                float* kp = scratch.Keys.Get(packedRows * dp);    // (chunks·w, dp)
                float* dKs = scratch.KeyGrad.Get(packedRows * dp);   // (chunks·w, dp) this round's Gᵀ·Qs in the sorted order
                float* dVs = scratch.ValueGrad.Get(packedRows * dp); // (chunks·w, dp) this round's Pᵀ·dO
                float* p = scratch.Scores.Get((long)chunkSize * ld);    // (C, 2w) base-2 scores, then P
                float* g = scratch.ScoreGrad.Get((long)chunkSize * ld); // (C, 2w) dP, then G = P ⊙ (dP − D)
                order.PackTransposed(k, hs, kt);
                order.PackTransposed(v, hs, vt);
                order.PackRows(k, hs, kp, dp);
                new Span<float>(dKs, (int)(packedRows * dp)).Clear();
                new Span<float>(dVs, (int)(packedRows * dp)).Clear();
                for (int m = 0; m < order.Chunks; m++)
                {
                    var tile = order.Tile(m);
                    int rows = tile.Rows;
                    int* queries = order.QueryOrder + tile.FirstQuery;
                    AttentionPacking.GatherRows(q, hs, queries, rows, qs, rows, dp, qScale);
                    AttentionPacking.GatherRows(dO, hs, queries, rows, dOs, rows, dp, 1f);
                    // S (rows, width) = Qs · Kᵀ;  dP (rows, width) = dO · Vᵀ, one key chunk at a time.
                    for (int t = 0; t * w < tile.Width; t++)
                    {
                        nint keyTile = (nint)(tile.FirstKeyTile + t) * hs * w;
                        AttentionTileGemm.Multiply(_simd, rows, hs, w, qs, dp, 1, kt + keyTile, w, p + t * w, ld, accumulate: false);
                        AttentionTileGemm.Multiply(_simd, rows, hs, w, dOs, dp, 1, vt + keyTile, w, g + t * w, ld, accumulate: false);
                    }
                    for (int r = 0; r < rows; r++)
                    {
                        float* pRow = p + (nint)r * ld, gRow = g + (nint)r * ld;
                        float rowLse2 = lse[queries[r]] * AttentionMath.Log2E;
                        if (order.MaskRow(pRow, tile, queries[r], keyLength) == 0 || float.IsNegativeInfinity(rowLse2))
                        {
                            new Span<float>(pRow, tile.Width).Clear();
                            new Span<float>(gRow, tile.Width).Clear();
                            continue;
                        }
                        AttentionMath.Probabilities(_simd, pRow, tile.Width, tile.Width, rowLse2);
                        AttentionMath.SoftmaxGradient(_simd, pRow, gRow, tile.Width, delta[queries[r]]);
                    }
                    // dV (width, dp) += Pᵀ · dO;  dK += Gᵀ · Qs;  chunk dQ (rows, dp) = G · K
                    nint keyRows = (nint)tile.FirstKeyTile * w * dp;
                    AttentionTileGemm.Multiply(_simd, tile.Width, rows, dp, p, 1, ld, dOs, dp, dVs + keyRows, dp, accumulate: true);
                    AttentionTileGemm.Multiply(_simd, tile.Width, rows, dp, g, 1, ld, qs, dp, dKs + keyRows, dp, accumulate: true);
                    AttentionTileGemm.Multiply(_simd, rows, tile.Width, dp, g, ld, 1, kp + keyRows, dp, chunkDQ, dp, accumulate: false);
                    // dS = G·scale, so dQ = G·K·scale.
                    AttentionPacking.ScatterAddRows(_simd, chunkDQ, dp, queries, rows, dQ, hs, shape.Scale);
                }
                // Qs = Q·scale·log₂e, so dK = Gᵀ·Qs·ln 2.
                order.ScatterAddRows(dKs, dp, dK, hs, AttentionMath.Ln2);
                order.ScatterAddRows(dVs, dp, dV, hs, 1f);
            }
        }
    }
}
