namespace Sharpformer.Evaluation;

/// <summary>
/// Counts of word n-grams. An n-gram is keyed by its tokens joined with single spaces: tokens never contain
/// whitespace, so the key is unambiguous and its order is one more than its number of spaces.
/// </summary>
internal static class WordNgrams
{
    /// <summary>All n-grams of orders 1..maxOrder with their counts.</summary>
    public static Dictionary<string, int> Count(IReadOnlyList<string> tokens, int maxOrder) => Count(tokens, 1, maxOrder);

    /// <summary>All n-grams of orders minOrder..maxOrder with their counts.</summary>
    public static Dictionary<string, int> Count(IReadOnlyList<string> tokens, int minOrder, int maxOrder)
    {
        var counts = new Dictionary<string, int>();
        var array = tokens as string[] ?? [.. tokens];
        for (int n = minOrder; n <= maxOrder; n++)
            for (int i = 0; i + n <= array.Length; i++)
            {
                string key = n == 1 ? array[i] : string.Join(" ", array, i, n);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        return counts;
    }

    public static int Order(string ngram)
    {
        int spaces = 0;
        foreach (char c in ngram) if (c == ' ') spaces++;
        return spaces + 1;
    }
}
