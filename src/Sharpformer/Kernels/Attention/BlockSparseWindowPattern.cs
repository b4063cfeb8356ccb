using Sharpformer.Tensors;

namespace Sharpformer.Kernels;

/// <summary>
/// Builds the sliding-window pattern (Longformer / BigBird style): each query sees the keys within
/// <c>window</c> positions of it (the causal mask keeps only those at or before it), the first
/// <c>globalTokens</c> positions see and are seen by everything, and each query tile may add
/// <c>randomBlocks</c> whole key tiles drawn from a seeded generator (the same tiles for the same seed).
/// One pattern is shared by every batch item and head.
/// </summary>
internal static class BlockSparseWindowPattern
{
    public static void Build(BlockSparsePattern pattern, in AttentionShape shape, int tileSize, int window, int globalTokens,
        int randomBlocks, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (randomBlocks < 0) throw new ArgumentException($"Random blocks must be at least 0, got {randomBlocks}.", nameof(randomBlocks));
        int tq = shape.QueryLength, tk = shape.KeyLength, offset = tk - tq;
        pattern.Begin(1, tq, tk, tileSize, window, globalTokens);
        var rng = randomBlocks > 0 ? new Rng(seed) : null;
        for (int qt = 0; qt < pattern.QueryTiles; qt++)
        {
            // Key positions of the tile's first and last query; the last key any of its rows may see.
            int lo = qt * tileSize + offset, hi = Math.Min(qt * tileSize + tileSize, tq) - 1 + offset;
            int keyHi = shape.Causal ? Math.Min(hi, tk - 1) : tk - 1;
            if (keyHi >= 0)
            {
                long bandLo = Math.Max(0L, (long)lo - window + 1), bandHi = Math.Min(keyHi, (long)hi + window - 1);
                for (long t = bandLo / tileSize; bandLo <= bandHi && t <= bandHi / tileSize; t++) pattern.Mark((int)t, whole: false);
                int globalKeyEnd = Math.Min(globalTokens, keyHi + 1);
                for (int t = 0; globalKeyEnd > 0 && t <= (globalKeyEnd - 1) / tileSize; t++) pattern.Mark(t, whole: false);
                if (lo < globalTokens)
                    for (int t = 0; t <= keyHi / tileSize; t++) pattern.Mark(t, whole: false);
                if (rng != null) MarkRandom(pattern, rng, keyHi / tileSize + 1, randomBlocks);
            }
            pattern.CommitQueryTile();
        }
    }

    /// <summary>Marks up to <paramref name="count"/> whole tiles among the unmarked ones in [0, tiles), uniformly.</summary>
    private static void MarkRandom(BlockSparsePattern pattern, Rng rng, int tiles, int count)
    {
        for (int n = 0; n < count; n++)
        {
            int free = 0;
            for (int t = 0; t < tiles; t++) if (!pattern.IsMarked(t)) free++;
            if (free == 0) return;
            int pick = rng.NextInt(free);
            for (int t = 0; t < tiles; t++)
            {
                if (pattern.IsMarked(t)) continue;
                if (pick-- == 0) { pattern.Mark(t, whole: true); break; }
            }
        }
    }
}
