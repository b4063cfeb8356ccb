namespace Sharpformer.Data;

/// <summary>One sentence and its translation.</summary>
public sealed record SentencePair(string Source, string Target)
{
    public override string ToString() => $"{Source}\t{Target}";
}
