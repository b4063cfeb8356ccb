using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>How a (query tile, key tile) pair is scored when choosing tiles.</summary>
public enum TopKEstimate   // public: test theories take it as a parameter
{
    /// <summary>q̄·k̄: the tile's mean query against the key tile's mean key (cheap, may miss a lone strong key).</summary>
    MeanKey,
    /// <summary>
    /// maxᵢ Σ_c max(q_ic·min_c, q_ic·max_c) over the tile's queries, with the key tile's per-channel minimum and
    /// maximum: an upper bound of every score in the pair, so a tile holding a strong key is never ranked low
    /// for that reason alone.
    /// </summary>
    UpperBound,
}

/// <summary>
/// Chooses, per batch·head and query tile, which key tiles a speculative block-sparse attention computes
/// exactly: the <c>localBlocks</c> tiles around the diagonal (before it only, when causal) plus the
/// <c>topBlocks</c> other tiles whose summary scores highest. The summary of a key tile is its mean key
/// (over unpadded keys), the summary of a query tile its mean query, and a tile's estimate is q̄·k̄; or, with
/// <see cref="TopKEstimate.UpperBound"/>, the per-channel key minimum and maximum bound every score of the pair.
/// Under a causal mask the query summary comes from the tile-size rows that end at the tile's first row, not
/// from the tile's own rows: otherwise which past keys row i sees would depend on the queries after i, a path
/// from later tokens into earlier outputs that a language model learns to use.
/// Decoding with a cache passes every past query (<c>pastQueries</c>, (B·nh, Tk, hs)): a query at position p then
/// chooses as the rows of its tile did in a whole-sequence pass, anchored at the tile's first row
/// 64·⌊p/64⌋ with the queries before it, so a token decoded alone reads the same keys.
/// The selection is a constant of the computation: no gradient flows through it.
/// </summary>
internal static class TopKBlockSelection
{
    [ThreadStatic] private static float[]? t_keyMeans, t_keyMins, t_keyMaxs, t_estimates, t_queryMean, t_cutMean, t_cutMin, t_cutMax;

    public static void Build(BlockSparsePattern pattern, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<int> keyLengths,
        in AttentionShape shape, int tileSize, int topBlocks, int localBlocks,
        TopKEstimate estimate = TopKEstimate.MeanKey, ReadOnlySpan<float> pastQueries = default)
        => Build(Simd.Best, pattern, q, k, keyLengths, shape, tileSize, topBlocks, localBlocks, estimate, pastQueries);

    /// <summary>The same with the upper bounds computed at vector width <paramref name="width"/>, which must be accelerated here.</summary>
    internal static void Build(SimdWidth width, BlockSparsePattern pattern, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<int> keyLengths,
        in AttentionShape shape, int tileSize, int topBlocks, int localBlocks, TopKEstimate estimate, ReadOnlySpan<float> pastQueries)
    {
        Simd.Require(width);
        ArgumentNullException.ThrowIfNull(pattern);
        shape.Validate(keyLengths);
        shape.RequireQuery(q.Length, nameof(q));
        shape.RequireKey(k.Length, nameof(k));
        if (!pastQueries.IsEmpty) shape.RequireKey(pastQueries.Length, nameof(pastQueries));
        if (topBlocks < 0) throw new ArgumentException($"Top blocks must be at least 0, got {topBlocks}.", nameof(topBlocks));
        if (localBlocks < 0) throw new ArgumentException($"Local blocks must be at least 0, got {localBlocks}.", nameof(localBlocks));
        int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, offset = tk - tq;
        pattern.Begin(shape.BatchHeads, tq, tk, tileSize, window: int.MaxValue, globalTokens: 0);
        var keyMeans = Grow(ref t_keyMeans, pattern.KeyTiles * hs);
        var estimates = Grow(ref t_estimates, pattern.KeyTiles);
        var queryMean = Grow(ref t_queryMean, hs);
        var keyMins = Grow(ref t_keyMins, pattern.KeyTiles * hs);
        var keyMaxs = Grow(ref t_keyMaxs, pattern.KeyTiles * hs);
        // Summaries of the part of a key tile at or before a causal query tile's first row.
        var cutMean = Grow(ref t_cutMean, hs);
        var cutMin = Grow(ref t_cutMin, hs);
        var cutMax = Grow(ref t_cutMax, hs);
        for (int bh = 0; bh < shape.BatchHeads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
            var keys = k.Slice(bh * tk * hs, tk * hs);
            var past = pastQueries.IsEmpty ? default : pastQueries.Slice(bh * tk * hs, tk * hs);
            if (estimate == TopKEstimate.MeanKey) Means(keys, keyLength, hs, tileSize, keyMeans);
            else Ranges(keys, keyLength, hs, tileSize, keyMins, keyMaxs);
            for (int qt = 0; qt < pattern.QueryTiles; qt++)
            {
                int q0 = qt * tileSize, q1 = Math.Min(q0 + tileSize, tq);
                int lo = q0 + offset, hi = q1 - 1 + offset;
                // The row the causal choice is anchored at: the tile's first row, or with past queries the first
                // row of the whole-sequence tile that holds it.
                int anchor = past.IsEmpty ? lo : lo - lo % tileSize;
                int keyHi = shape.Causal ? Math.Min(hi, keyLength - 1) : keyLength - 1;
                if (keyHi >= 0)
                {
                    int lastTile = keyHi / tileSize;
                    if (localBlocks > 0)
                    {
                        int diagLo = Math.Clamp(lo, 0, keyHi) / tileSize, diagHi = Math.Clamp(hi, 0, keyHi) / tileSize;
                        int from = Math.Max(0, diagLo - (localBlocks - 1));
                        int to = shape.Causal ? diagHi : Math.Min(lastTile, diagHi + localBlocks - 1);
                        for (int t = from; t <= to; t++) pattern.Mark(t, whole: true);
                    }
                    // The rows that speak for the tile. Causal: the tileSize rows ending at its first row, all at
                    // or before every row of the tile, so no row's choice depends on a later query (and so on a
                    // later token); otherwise the tile's own rows.
                    int s0 = shape.Causal ? Math.Max(0, q0 - tileSize + 1) : q0, s1 = shape.Causal ? q0 + 1 : q1;
                    var queries = q.Slice((bh * tq + s0) * hs, (s1 - s0) * hs);
                    if (!past.IsEmpty && shape.Causal)
                    {
                        (s0, s1) = (Math.Max(0, anchor - tileSize + 1), anchor + 1);   // absolute rows
                        queries = past.Slice(s0 * hs, (s1 - s0) * hs);
                    }
                    // Likewise a key tile competes with the keys at or before the first row only: later tiles not at
                    // all, and the tile holding the first row with a summary of its keys up to that row.
                    int lastCandidate = shape.Causal ? Math.Min(lastTile, anchor / tileSize) : lastTile;
                    int cutTile = -1;
                    if (shape.Causal && lastCandidate >= 0)
                    {
                        int start = lastCandidate * tileSize, end = Math.Min(anchor, keyLength - 1); // keys [start, end]
                        if (Math.Min(start + tileSize, keyLength) - 1 > end)
                        {
                            cutTile = lastCandidate;
                            var cut = keys.Slice(start * hs, (end - start + 1) * hs);
                            if (estimate == TopKEstimate.MeanKey) Means(cut, end - start + 1, hs, end - start + 1, cutMean);
                            else Ranges(cut, end - start + 1, hs, end - start + 1, cutMin, cutMax);
                        }
                    }
                    if (estimate == TopKEstimate.MeanKey)
                    {
                        Means(queries, s1 - s0, hs, s1 - s0, queryMean);
                        for (int t = 0; t <= lastCandidate; t++)
                            estimates[t] = System.Numerics.Tensors.TensorPrimitives.Dot(queryMean.AsSpan(0, hs),
                                t == cutTile ? cutMean.AsSpan(0, hs) : keyMeans.AsSpan(t * hs, hs));
                    }
                    else
                        for (int t = 0; t <= lastCandidate; t++)
                            estimates[t] = pattern.IsMarked(t) ? 0f : t == cutTile
                                ? UpperBound(width, queries, s1 - s0, hs, cutMin.AsSpan(0, hs), cutMax.AsSpan(0, hs))
                                : UpperBound(width, queries, s1 - s0, hs, keyMins.AsSpan(t * hs, hs), keyMaxs.AsSpan(t * hs, hs));
                    for (int n = 0; n < topBlocks; n++)
                    {
                        int best = -1;
                        for (int t = 0; t <= lastCandidate; t++)
                            if (!pattern.IsMarked(t) && (best < 0 || estimates[t] > estimates[best])) best = t;
                        if (best < 0) break;
                        pattern.Mark(best, whole: true);
                    }
                }
                pattern.CommitQueryTile();
            }
        }
    }

    /// <summary>Mean row of each group of <paramref name="group"/> rows among the first <paramref name="rows"/> of (·, hs) into means (tiles, hs).</summary>
    private static void Means(ReadOnlySpan<float> x, int rows, int hs, int group, float[] means)
    {
        for (int g0 = 0, t = 0; g0 < rows; g0 += group, t++)
        {
            var mean = means.AsSpan(t * hs, hs);
            mean.Clear();
            int n = Math.Min(group, rows - g0);
            for (int r = g0; r < g0 + n; r++)
                System.Numerics.Tensors.TensorPrimitives.Add(mean, x.Slice(r * hs, hs), mean);
            System.Numerics.Tensors.TensorPrimitives.Multiply(mean, 1f / n, mean);
        }
    }

    /// <summary>Per-channel minimum and maximum of each group of rows, as <see cref="Means"/>.</summary>
    private static void Ranges(ReadOnlySpan<float> x, int rows, int hs, int group, float[] mins, float[] maxs)
    {
        for (int g0 = 0, t = 0; g0 < rows; g0 += group, t++)
        {
            var min = mins.AsSpan(t * hs, hs);
            var max = maxs.AsSpan(t * hs, hs);
            x.Slice(g0 * hs, hs).CopyTo(min);
            x.Slice(g0 * hs, hs).CopyTo(max);
            for (int r = g0 + 1; r < Math.Min(g0 + group, rows); r++)
            {
                System.Numerics.Tensors.TensorPrimitives.Min(min, x.Slice(r * hs, hs), min);
                System.Numerics.Tensors.TensorPrimitives.Max(max, x.Slice(r * hs, hs), max);
            }
        }
    }

    /// <summary>maxᵢ Σ_c max(q_ic·min_c, q_ic·max_c) over the rows of <paramref name="queries"/>: no score of the pair exceeds it.</summary>
    public static float UpperBound(ReadOnlySpan<float> queries, int rows, int hs, ReadOnlySpan<float> min, ReadOnlySpan<float> max)
        => UpperBound(Simd.Best, queries, rows, hs, min, max);

    /// <summary>The same at vector width <paramref name="width"/>; queries (rows, hs), min and max (hs).</summary>
    internal static unsafe float UpperBound(SimdWidth width, ReadOnlySpan<float> queries, int rows, int hs, ReadOnlySpan<float> min, ReadOnlySpan<float> max)
    {
        if (queries.Length < rows * hs || min.Length < hs || max.Length < hs)
            throw new ArgumentException($"UpperBound needs queries of {rows}·{hs} and min, max of {hs} floats, got {queries.Length}, {min.Length}, {max.Length}.", nameof(queries));
        fixed (float* pq = queries, pmin = min, pmax = max)
            return width switch
            {
                SimdWidth.V512 => UpperBound<Width512, Vector512<float>>(pq, rows, hs, pmin, pmax),
                SimdWidth.V256 => UpperBound<Width256, Vector256<float>>(pq, rows, hs, pmin, pmax),
                SimdWidth.V128 => UpperBound<Width128, Vector128<float>>(pq, rows, hs, pmin, pmax),
                _ => UpperBound<WidthScalar, float>(pq, rows, hs, pmin, pmax),
            };
    }

    private static unsafe float UpperBound<TW, TV>(float* queries, int rows, int hs, float* min, float* max)
        where TW : struct, IAttentionWidth<TV> where TV : struct
    {
        float best = float.NegativeInfinity;
        for (int r = 0; r < rows; r++)
        {
            float* q = queries + (nint)r * hs;
            var acc = TW.Splat(0f);
            int c = 0;
            for (; c + TW.Lanes <= hs; c += TW.Lanes)
            {
                var qc = TW.Load(q + c);
                acc = TW.Add(acc, TW.Max(TW.Multiply(qc, TW.Load(min + c)), TW.Multiply(qc, TW.Load(max + c))));
            }
            float bound = TW.Sum(acc);
            for (; c < hs; c++) bound += MathF.Max(q[c] * min[c], q[c] * max[c]);
            best = MathF.Max(best, bound);
        }
        return best;
    }

    private static float[] Grow(ref float[]? buffer, int size)
    {
        if (buffer == null || buffer.Length < size) buffer = new float[Math.Max(size, 1)];
        return buffer;
    }
}
