namespace Sharpformer.Data;

/// <summary>
/// Drops pairs that are too long, empty or badly unbalanced before training. Lengths are measured by a token
/// counter (by default whitespace-separated words; pass the BPE tokenizer's count to filter on model tokens) and in
/// characters. Null limits are not applied.
/// </summary>
internal sealed record LengthFilter
{
    /// <summary>Most tokens on either side.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Fewest tokens on either side (1 by default: no empty sides).</summary>
    public int MinTokens { get; init; } = 1;

    /// <summary>Most characters on either side.</summary>
    public int? MaxChars { get; init; }

    /// <summary>Largest allowed ratio of the longer side's token count to the shorter's (e.g. 3).</summary>
    public double? MaxRatio { get; init; }

    /// <summary>Whitespace-separated words: the count used when no tokenizer is given.</summary>
    public static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Whether a pair passes every limit.</summary>
    public bool Accepts(SentencePair pair, Func<string, int>? countTokens = null)
    {
        countTokens ??= WordCount;
        if (MaxChars is int maxChars && (pair.Source.Length > maxChars || pair.Target.Length > maxChars)) return false;
        int s = countTokens(pair.Source), t = countTokens(pair.Target);
        if (s < MinTokens || t < MinTokens) return false;
        if (MaxTokens is int maxTokens && (s > maxTokens || t > maxTokens)) return false;
        if (MaxRatio is double ratio && s > 0 && t > 0 && (double)Math.Max(s, t) / Math.Min(s, t) > ratio) return false;
        return true;
    }

    /// <summary>The pairs that pass, in their original order.</summary>
    public List<SentencePair> Apply(IEnumerable<SentencePair> pairs, Func<string, int>? countTokens = null)
    {
        Validate();
        return pairs.Where(p => Accepts(p, countTokens)).ToList();
    }

    private void Validate()
    {
        if (MaxTokens is < 1) throw new ArgumentException($"MaxTokens must be at least 1, got {MaxTokens}.", nameof(MaxTokens));
        if (MinTokens < 0) throw new ArgumentException($"MinTokens must be non-negative, got {MinTokens}.", nameof(MinTokens));
        if (MaxChars is < 1) throw new ArgumentException($"MaxChars must be at least 1, got {MaxChars}.", nameof(MaxChars));
        if (MaxRatio is double r && !(r >= 1)) throw new ArgumentException($"MaxRatio must be at least 1, got {r}.", nameof(MaxRatio));
    }
}
