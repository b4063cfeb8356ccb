namespace Sharpformer.Generation;

/// <summary>What to generate: how many tokens at most, when to stop, and whether to reuse keys and values.</summary>
internal sealed record GenerationOptions(int MaxNewTokens = 500, IReadOnlyList<string>? StopStrings = null, bool UseKvCache = true)
{
    public GenerationOptions Validated()
    {
        if (MaxNewTokens < 0) throw new ArgumentException($"--max-new-tokens must be ≥ 0, got {MaxNewTokens}.");
        if (StopStrings?.Any(string.IsNullOrEmpty) == true) throw new ArgumentException("--stop strings must not be empty.");
        return this;
    }
}
