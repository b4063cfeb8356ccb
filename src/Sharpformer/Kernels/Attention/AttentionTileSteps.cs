using System.Numerics.Tensors;

namespace Sharpformer.Kernels;

/// <summary>
/// Per-row state of the forward online softmax for a run of query rows: running max and sum, this key tile's
/// max and sum, and the factor that rescales the running output. Each buffer holds whole vectors of rows.
/// </summary>
internal readonly unsafe struct OnlineSoftmaxRows
{
    public readonly float* Max, Sum, NewMax, TileSum, Rescale;

    /// <summary>Five buffers of <paramref name="stride"/> floats laid out one after another from <paramref name="buffer"/>.</summary>
    public OnlineSoftmaxRows(float* buffer, int stride)
    {
        Max = buffer; Sum = buffer + stride; NewMax = buffer + 2 * stride; TileSum = buffer + 3 * stride; Rescale = buffer + 4 * stride;
    }

    private OnlineSoftmaxRows(float* max, float* sum, float* newMax, float* tileSum, float* rescale)
    {
        Max = max; Sum = sum; NewMax = newMax; TileSum = tileSum; Rescale = rescale;
    }

    /// <summary>The same state from row <paramref name="first"/> on (a multiple of 16).</summary>
    public OnlineSoftmaxRows From(int first) => new(Max + first, Sum + first, NewMax + first, TileSum + first, Rescale + first);

    /// <summary>Rows [0, rows) start with max = −∞ and sum = 0.</summary>
    public void Reset(int rows)
    {
        for (int r = 0; r < rows; r++) { Max[r] = float.NegativeInfinity; Sum[r] = 0f; }
    }
}

/// <summary>
/// The steps of one (query tile, key tile) pair that the tiled attention kernels share: flash attention visits
/// every visible key tile, block-sparse attention only those of its pattern, with the same arithmetic.
/// Scores are base 2 (queries pre-scaled by scale·log₂e). A row's visible keys follow the causal and padding
/// masks of <see cref="AttentionShape"/>; a caller may also set scores to −∞ beforehand to hide them.
/// </summary>
internal static unsafe class AttentionTileSteps
{
    /// <summary>
    /// Forward, after S (rows, keys) = Qs·Kᵀ is in <paramref name="s"/> (row stride <paramref name="lds"/>): masks
    /// the scores past each row's visible keys, advances the online softmax and then
    /// acc (rows, dp) = diag(rescale)·acc + P·V, V being the key tile's rows (keys, dp). Leaves P in s.
    /// </summary>
    public static void SoftmaxAndAccumulate(SimdWidth width, in AttentionShape shape, int keyLength, int first, int rows, int j0, int keys,
        float* s, int lds, float* v, int dp, float* acc, in OnlineSoftmaxRows stats)
    {
        int paddedKeys = AttentionTileGemm.RoundUp(keys);
        for (int r = 0; r < rows; r++)
        {
            float* row = s + (nint)r * lds;
            int visible = Math.Min(shape.VisibleKeys(first + r, keyLength) - j0, keys);
            if (visible < paddedKeys)
            {
                if (visible <= 0)
                {
                    SkipRow(row, paddedKeys, stats, r);
                    continue;
                }
                for (int c = visible; c < paddedKeys; c++) row[c] = float.NegativeInfinity;
            }
            float tileMax = AttentionMath.Max(width, row, paddedKeys);
            if (float.IsNegativeInfinity(tileMax))
            {
                SkipRow(row, paddedKeys, stats, r); // every score of the row was hidden by the caller
                continue;
            }
            float m = tileMax > stats.Max[r] ? tileMax : stats.Max[r];
            stats.NewMax[r] = m;
            stats.TileSum[r] = AttentionMath.Exp2InPlace(width, row, paddedKeys, m);
        }
        // For all rows at once: rescale = 2^(old max − new max), sum = sum·rescale + tile sum.
        AttentionMath.UpdateRunningSoftmax(width, stats.Max, stats.NewMax, stats.Sum, stats.TileSum, stats.Rescale, rows);
        // acc (rows, dp) = diag(rescale)·acc + P (rows, keys) · V (keys, dp)
        AttentionTileGemm.Multiply(width, rows, keys, dp, s, lds, 1, v, dp, acc, dp, accumulate: true, stats.Rescale,
            CausalBand.For(shape.Causal, CausalSkip.KeyDepth, Diagonal(shape, first, j0)));
    }

    /// <summary>
    /// The causal band of the tile whose first query row is <paramref name="first"/> and first key <paramref name="j0"/>:
    /// its query row i sees the tile's keys up to this + i. A score product may skip past it (<see cref="CausalSkip.KeyColumns"/>):
    /// the steps here mask every score past a row's visible keys before reading it.
    /// </summary>
    public static int Diagonal(in AttentionShape shape, int first, int j0) => first + shape.CausalOffset - j0;

    /// <summary>A row that sees none of the tile's keys: P = 0, and its running max and sum stay as they are.</summary>
    private static void SkipRow(float* row, int paddedKeys, in OnlineSoftmaxRows stats, int r)
    {
        new Span<float>(row, paddedKeys).Clear();
        stats.NewMax[r] = stats.Max[r];
        stats.TileSum[r] = 0f;
    }

    /// <summary>
    /// End of the forward: O (rows, hs) = acc / sum and lse = (max + log₂ sum)·ln 2 (natural log); a row that
    /// saw no key gets O = 0 and lse = −∞.
    /// </summary>
    public static void Finish(int rows, float* acc, int dp, in OnlineSoftmaxRows stats, float* o, int hs, float* lse)
    {
        for (int r = 0; r < rows; r++)
        {
            bool empty = stats.Sum[r] == 0f;
            float inverse = empty ? 0f : 1f / stats.Sum[r];
            for (int c = 0; c < hs; c++) o[r * hs + c] = acc[r * dp + c] * inverse;
            lse[r] = empty ? float.NegativeInfinity : (stats.Max[r] + MathF.Log2(stats.Sum[r])) * AttentionMath.Ln2;
        }
    }

    /// <summary>
    /// Backward products of one tile: S (rows, paddedKeys) = Qs·Kᵀ into <paramref name="p"/> and
    /// dP = dO·Vᵀ into <paramref name="g"/> (row stride <paramref name="ldp"/>); Qs and dO rows padded to dp,
    /// Kᵀ and Vᵀ tiles (hs, ldk). Under a causal mask (<paramref name="band"/>) blocks of rows stop at their last
    /// visible key; <see cref="Gradients"/> never reads past it.
    /// </summary>
    public static void BackwardScores(SimdWidth width, int rows, int hs, int paddedKeys, float* qs, float* dO, int dp, float* kt, float* vt, int ldk,
        float* p, float* g, int ldp, CausalBand band)
    {
        // S (rows, paddedKeys) = Qs · Kᵀ;  dP (rows, paddedKeys) = dO · Vᵀ
        AttentionTileGemm.Multiply(width, rows, hs, paddedKeys, qs, dp, 1, kt, ldk, p, ldp, accumulate: false, band: band);
        AttentionTileGemm.Multiply(width, rows, hs, paddedKeys, dO, dp, 1, vt, ldk, g, ldp, accumulate: false, band: band);
    }

    /// <summary>
    /// Backward, after <see cref="BackwardScores"/> (and any −∞ the caller set in S): P = 2^(S − lse·log₂e), zero
    /// past each row's visible keys and for rows with lse = −∞; G = P ⊙ (dP − D); then dV (keys, dp) += Pᵀ·dO,
    /// dK += Gᵀ·Qs, dQ (rows, dp) += G·K. Row pointers start at the tile's first query row and first key.
    /// </summary>
    public static void Gradients(SimdWidth width, in AttentionShape shape, int keyLength, int first, int rows, int j0, int keys,
        float* p, float* g, int ldp, float* qs, float* dO, int dp, float* k, float* rowLse2, float* rowDelta,
        float* dKacc, float* dVacc, float* dQacc)
    {
        int paddedKeys = AttentionTileGemm.RoundUp(keys);
        for (int r = 0; r < rows; r++)
        {
            float* pRow = p + (nint)r * ldp, gRow = g + (nint)r * ldp;
            int visible = Math.Clamp(shape.VisibleKeys(first + r, keyLength) - j0, 0, keys);
            if (float.IsNegativeInfinity(rowLse2[r])) visible = 0;
            AttentionMath.Probabilities(width, pRow, visible, paddedKeys, rowLse2[r]);
            // dP past the visible keys may be unwritten (a causal band): G is set to 0 there, not computed from it.
            AttentionMath.SoftmaxGradient(width, pRow, gRow, visible, rowDelta[r]);
            new Span<float>(gRow + visible, paddedKeys - visible).Clear();
        }
        // dV (keys, dp) += Pᵀ · dO;  dK (keys, dp) += Gᵀ · Qs;  dQ (rows, dp) += G · K
        int diagonal = Diagonal(shape, first, j0);
        var queryDepth = CausalBand.For(shape.Causal, CausalSkip.QueryDepth, diagonal);
        AttentionTileGemm.Multiply(width, keys, rows, dp, p, 1, ldp, dO, dp, dVacc, dp, accumulate: true, band: queryDepth);
        AttentionTileGemm.Multiply(width, keys, rows, dp, g, 1, ldp, qs, dp, dKacc, dp, accumulate: true, band: queryDepth);
        AttentionTileGemm.Multiply(width, rows, keys, dp, g, ldp, 1, k, dp, dQacc, dp, accumulate: true,
            band: CausalBand.For(shape.Causal, CausalSkip.KeyDepth, diagonal));
    }

    /// <summary>
    /// dQ of one head from per-group partial sums (groups, tq, dp) starting at <paramref name="partials"/>: added in
    /// group order into the first, then written unpadded times <paramref name="scale"/> to dQ (tq, hs).
    /// </summary>
    public static void SumPartialQueryGrads(float* partials, int groups, int tq, int dp, float* dQ, int hs, float scale)
    {
        var sum = new Span<float>(partials, tq * dp);
        for (int group = 1; group < groups; group++)
            TensorPrimitives.Add(sum, new ReadOnlySpan<float>(partials + (long)group * tq * dp, tq * dp), sum);
        AttentionPacking.UnpadRows(partials, tq, dp, dQ, hs, scale);
    }
}
