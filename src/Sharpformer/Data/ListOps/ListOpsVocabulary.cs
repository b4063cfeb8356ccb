namespace Sharpformer.Data.ListOps;

/// <summary>
/// The fixed ListOps vocabulary: padding, the classification token, the four operators, the closing bracket,
/// both parentheses and the ten digits. Brackets and parentheses are tokens: they carry the tree structure
/// (an alphanumeric tokenizer that drops them leaves the task unsolvable).
/// </summary>
internal static class ListOpsVocabulary
{
    public const int Pad = 0, Cls = 1, OpenParenthesis = 7, CloseParenthesis = 8;

    public static IReadOnlyList<string> Tokens { get; } =
        ["<pad>", "<cls>", "[MAX", "[MIN", "[MED", "[SM", "]", "(", ")", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public static int Size => Tokens.Count;

    private static readonly Dictionary<string, int> Ids = Tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);

    /// <summary>Ids of the space-separated tokens of a source string; throws naming the first unknown token.</summary>
    public static int[] Encode(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = source.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!Ids.TryGetValue(tokens[i], out int id) || id is Pad or Cls)
                throw new ArgumentException($"unknown ListOps token '{tokens[i]}' (token {i + 1}); expected [MAX [MIN [MED [SM ] ( ) or a digit.");
            ids[i] = id;
        }
        return ids;
    }

    /// <summary>The tokens of <paramref name="ids"/> joined by spaces.</summary>
    public static string Decode(ReadOnlySpan<int> ids)
    {
        var tokens = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)Size) throw new ArgumentException($"ListOps id {ids[i]} at position {i} is outside the vocabulary of {Size}.");
            tokens[i] = Tokens[ids[i]];
        }
        return string.Join(' ', tokens);
    }
}
