namespace Sharpformer.Tests.Tokenization;

/// <summary>
/// The textbook trainer, kept plain as the reference: recount every pair of every word occurrence
/// after each merge and take the most frequent, ties to the greater pair of byte strings.
/// </summary>
internal static class NaiveBpe
{
    public static List<(byte[] Left, byte[] Right)> Train(IEnumerable<byte[]> wordOccurrences, int mergeCount)
    {
        var words = wordOccurrences.Select(w => w.Select(b => new[] { b }).ToList()).ToList();
        var merges = new List<(byte[], byte[])>();
        var comparer = new BytesComparer();
        for (int m = 0; m < mergeCount; m++)
        {
            var counts = new Dictionary<(string, string), (byte[] L, byte[] R, int Count)>();
            foreach (var word in words)
                for (int i = 0; i + 1 < word.Count; i++)
                {
                    var key = (Convert.ToHexString(word[i]), Convert.ToHexString(word[i + 1]));
                    counts[key] = counts.TryGetValue(key, out var c) ? (c.L, c.R, c.Count + 1) : (word[i], word[i + 1], 1);
                }
            if (counts.Count == 0) break;
            var best = counts.Values.OrderByDescending(c => c.Count).ThenByDescending(c => c.L, comparer).ThenByDescending(c => c.R, comparer).First();
            merges.Add((best.L, best.R));
            foreach (var word in words)
                for (int i = 0; i + 1 < word.Count; i++)
                    if (word[i].AsSpan().SequenceEqual(best.L) && word[i + 1].AsSpan().SequenceEqual(best.R))
                    {
                        word[i] = [.. best.L, .. best.R];
                        word.RemoveAt(i + 1);
                    }
        }
        return merges;
    }

    private sealed class BytesComparer : IComparer<byte[]>
    {
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
