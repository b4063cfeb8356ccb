using Sharpformer.Tensors;

namespace Sharpformer.Data;

/// <summary>
/// Groups sentence pairs into batches of similar length under a token budget, so little of each batch is padding.
/// A batch of b pairs is padded to its longest source and longest target, so it costs
/// b · max(longest source, longest target) tokens; that must not exceed the budget (a pair longer than the
/// budget on its own forms a batch by itself: filter such pairs beforehand with <see cref="LengthFilter"/>).
/// Pairs of equal length are ordered at random and the batches are shuffled, both with the given generator, so one
/// seed gives the same batches every run and each call (each epoch) a new order.
/// </summary>
internal static class LengthBucketBatcher
{
    /// <param name="lengths">Per pair: (source tokens, target tokens), including any BOS/EOS the model adds.</param>
    /// <param name="maxTokensPerBatch">Budget of padded tokens per side in one batch.</param>
    /// <param name="rng">Decides the order within equal lengths and the order of the batches.</param>
    /// <param name="maxSentencesPerBatch">Optional cap on pairs per batch.</param>
    /// <returns>Batches of indices into <paramref name="lengths"/>; every index appears exactly once.</returns>
    public static List<int[]> CreateBatches(IReadOnlyList<(int Source, int Target)> lengths, int maxTokensPerBatch, Rng rng, int? maxSentencesPerBatch = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(rng);
        if (maxTokensPerBatch < 1) throw new ArgumentException($"maxTokensPerBatch must be at least 1, got {maxTokensPerBatch}.", nameof(maxTokensPerBatch));
        if (maxSentencesPerBatch is < 1) throw new ArgumentException($"maxSentencesPerBatch must be at least 1, got {maxSentencesPerBatch}.", nameof(maxSentencesPerBatch));
        for (int i = 0; i < lengths.Count; i++)
            if (lengths[i].Source < 0 || lengths[i].Target < 0)
                throw new ArgumentException($"Pair {i} has a negative length ({lengths[i].Source}, {lengths[i].Target}).", nameof(lengths));

        // Random order first, then a stable sort by length: equal lengths stay in random order.
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        Shuffle(order, rng);
        var sorted = order.OrderBy(i => Math.Max(lengths[i].Source, lengths[i].Target))
            .ThenBy(i => lengths[i].Source).ThenBy(i => lengths[i].Target).ToArray();

        var batches = new List<int[]>();
        var current = new List<int>();
        int longest = 0;
        foreach (int i in sorted)
        {
            int len = Math.Max(lengths[i].Source, lengths[i].Target);
            int newLongest = Math.Max(longest, len);
            bool overBudget = (long)(current.Count + 1) * newLongest > maxTokensPerBatch;
            bool overCount = maxSentencesPerBatch is int cap && current.Count + 1 > cap;
            if (current.Count > 0 && (overBudget || overCount))
            {
                batches.Add([.. current]);
                current.Clear();
                newLongest = len;
            }
            current.Add(i);
            longest = newLongest;
        }
        if (current.Count > 0) batches.Add([.. current]);

        var batchArray = batches.ToArray();
        Shuffle(batchArray, rng);
        return [.. batchArray];
    }

    /// <summary>Padded tokens of a batch on its longer side: count × the longest length.</summary>
    public static long PaddedTokens(IReadOnlyList<(int Source, int Target)> lengths, IEnumerable<int> batch)
    {
        int count = 0, longest = 0;
        foreach (int i in batch) { count++; longest = Math.Max(longest, Math.Max(lengths[i].Source, lengths[i].Target)); }
        return (long)count * longest;
    }

    private static void Shuffle<T>(T[] items, Rng rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
