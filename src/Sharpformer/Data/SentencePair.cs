namespace Sharpformer.Data;

/// <summary>One sentence and its translation.</summary>
internal sealed record SentencePair(string Source, string Target)
{
    /// <summary>The pair the other way round, to train the opposite direction.</summary>
    public SentencePair Reversed() => new(Target, Source);

    public override string ToString() => $"{Source}\t{Target}";
}
