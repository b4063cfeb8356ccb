namespace Sharpformer.Kernels;

/// <summary>
/// Chooses, per batch·head and query tile, which key tiles a speculative block-sparse attention computes
/// exactly: the <c>localBlocks</c> tiles around the diagonal (before it only, when causal) plus the
/// <c>topBlocks</c> other tiles whose summary scores highest. The summary of a key tile is its mean key
/// (over unpadded keys), the summary of a query tile its mean query, and a tile's estimate is q̄·k̄.
/// The selection is a constant of the computation: no gradient flows through it.
/// </summary>
public static class TopKBlockSelection
{
    [ThreadStatic] private static float[]? t_keyMeans, t_estimates, t_queryMean;

    public static void Build(BlockSparsePattern pattern, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<int> keyLengths,
        in AttentionShape shape, int tileSize, int topBlocks, int localBlocks)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        shape.Validate(keyLengths);
        shape.RequireQuery(q.Length, nameof(q));
        shape.RequireKey(k.Length, nameof(k));
        if (topBlocks < 0) throw new ArgumentException($"Top blocks must be at least 0, got {topBlocks}.", nameof(topBlocks));
        if (localBlocks < 0) throw new ArgumentException($"Local blocks must be at least 0, got {localBlocks}.", nameof(localBlocks));
        int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize, offset = tk - tq;
        pattern.Begin(shape.BatchHeads, tq, tk, tileSize, window: int.MaxValue, globalTokens: 0);
        var keyMeans = Grow(ref t_keyMeans, pattern.KeyTiles * hs);
        var estimates = Grow(ref t_estimates, pattern.KeyTiles);
        var queryMean = Grow(ref t_queryMean, hs);
        for (int bh = 0; bh < shape.BatchHeads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
            var keys = k.Slice(bh * tk * hs, tk * hs);
            Means(keys, keyLength, hs, tileSize, keyMeans);
            for (int qt = 0; qt < pattern.QueryTiles; qt++)
            {
                int q0 = qt * tileSize, q1 = Math.Min(q0 + tileSize, tq);
                int lo = q0 + offset, hi = q1 - 1 + offset;
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
                    Means(q.Slice((bh * tq + q0) * hs, (q1 - q0) * hs), q1 - q0, hs, q1 - q0, queryMean);
                    for (int t = 0; t <= lastTile; t++)
                        estimates[t] = System.Numerics.Tensors.TensorPrimitives.Dot(queryMean.AsSpan(0, hs), keyMeans.AsSpan(t * hs, hs));
                    for (int n = 0; n < topBlocks; n++)
                    {
                        int best = -1;
                        for (int t = 0; t <= lastTile; t++)
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

    private static float[] Grow(ref float[]? buffer, int size)
    {
        if (buffer == null || buffer.Length < size) buffer = new float[Math.Max(size, 1)];
        return buffer;
    }
}
