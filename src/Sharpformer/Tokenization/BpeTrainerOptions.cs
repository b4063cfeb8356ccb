namespace Sharpformer.Tokenization;

/// <summary>What to learn: the vocabulary size (bytes + merges + special tokens), the specials, the pre-tokenizer.</summary>
/// <param name="VocabSize">Total ids, counting the 256 bytes and the special tokens.</param>
internal sealed record BpeTrainerOptions(int VocabSize)
{
    /// <summary>Texts matched before pre-tokenization, never split or merged; they get the last ids.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = [];

    /// <summary>Pre-tokenizer: "gpt2", "gpt4" or a regular expression.</summary>
    public string Pattern { get; init; } = SplitPatterns.Gpt2;

    /// <summary>Name written into the tokenizer file; defaults to "bpe-{VocabSize}".</summary>
    public string? Name { get; init; }

    internal int MergeCount => VocabSize - 256 - SpecialTokens.Count;

    internal void Validate()
    {
        if (VocabSize < 256 + SpecialTokens.Count)
            throw new ArgumentException($"VocabSize must be at least 256 + {SpecialTokens.Count} special tokens, got {VocabSize}.", nameof(VocabSize));
        if (VocabSize > BpeTokenizer.MaxVocabSize)
            throw new ArgumentException($"VocabSize must be at most {BpeTokenizer.MaxVocabSize:N0}, got {VocabSize:N0}.", nameof(VocabSize));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var special in SpecialTokens)
        {
            if (string.IsNullOrEmpty(special)) throw new ArgumentException("A special token must not be empty.", nameof(SpecialTokens));
            if (!seen.Add(special)) throw new ArgumentException($"Special token '{special}' is listed twice.", nameof(SpecialTokens));
        }
    }
}

/// <summary>How far training has come; reported while merging.</summary>
/// <param name="Merges">Merges learned so far.</param>
/// <param name="TotalMerges">Merges asked for.</param>
/// <param name="Elapsed">Time spent merging so far (word counting not included).</param>
internal readonly record struct BpeTrainingProgress(int Merges, int TotalMerges, TimeSpan Elapsed)
{
    public double MergesPerSecond => Elapsed.TotalSeconds > 0 ? Merges / Elapsed.TotalSeconds : 0;

    /// <summary>Remaining time at the rate so far (merges get cheaper as words shrink, so it overestimates).</summary>
    public TimeSpan Eta => Merges > 0 ? TimeSpan.FromSeconds(Elapsed.TotalSeconds / Merges * (TotalMerges - Merges)) : TimeSpan.Zero;
}
