using Sharpformer.Generation;

namespace Sharpformer;

/// <summary>
/// How <see cref="LanguageModel"/> continues a prompt: how many tokens at most, how the next token is drawn
/// (temperature, top-k, top-p, seed) and which texts end the generation.
/// </summary>
public sealed record GenerationSettings
{
    /// <summary>Tokens to generate at most (default 200).</summary>
    public int MaxNewTokens { get; init; } = 200;

    /// <summary>Softmax temperature; 0 picks the most likely token every time (greedy). Default 0.8.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Draw only from the k most likely tokens; null keeps them all. Default 200.</summary>
    public int? TopK { get; init; } = 200;

    /// <summary>Draw only from the smallest set of tokens whose probability reaches p, in (0, 1]; null turns it off.</summary>
    public float? TopP { get; init; }

    /// <summary>Seed of the sampling: the same seed, prompt and model give the same text.</summary>
    public ulong Seed { get; init; } = 1337;

    /// <summary>Generation stops where one of these appears; the stop text itself is not returned.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    internal GenerationOptions Generation() => new GenerationOptions(MaxNewTokens, StopSequences).Validated();

    internal SamplingOptions Sampling() => new SamplingOptions(Temperature, TopK, TopP, Seed).Validated();
}
