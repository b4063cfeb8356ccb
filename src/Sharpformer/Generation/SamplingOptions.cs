namespace Sharpformer.Generation;

/// <summary>
/// How the next token is drawn from the model's logits. Temperature 0 means greedy (argmax); top-k keeps the
/// k most likely tokens; top-p keeps the smallest set whose probability reaches p (nucleus sampling).
/// </summary>
internal sealed record SamplingOptions(float Temperature = 0.8f, int? TopK = 200, float? TopP = null, ulong Seed = 1337)
{
    public SamplingOptions Validated()
    {
        if (Temperature < 0) throw new ArgumentException($"--temperature must be ≥ 0, got {Temperature}.");
        if (TopK is < 1) throw new ArgumentException($"--top-k must be ≥ 1, got {TopK}.");
        if (TopP is <= 0 or > 1) throw new ArgumentException($"--top-p must be in (0, 1], got {TopP}.");
        return this;
    }
}
