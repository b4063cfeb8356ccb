namespace Sharpformer;

/// <summary>
/// How <see cref="LanguageModel.Train"/> trains a GPT: a built-in recipe (model shape and schedule) and what to
/// change of it. Unset values keep the recipe's.
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>
    /// The recipe: "tiny" (seconds), "shakespeare-cpu" (minutes), "shakespeare" or "shakespeare-long", as
    /// <c>sharpformer train --config</c> lists them. Default "tiny".
    /// </summary>
    public string Preset { get; init; } = "tiny";

    /// <summary>Optimizer steps in all; the learning rate decays over them.</summary>
    public int? Steps { get; init; }

    /// <summary>A time budget: training ends at the steps or the time, whichever comes first.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Sequences per step.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Peak learning rate (after warm-up).</summary>
    public float? LearningRate { get; init; }

    /// <summary>Steps between evaluations of the training and validation loss.</summary>
    public int? EvaluationInterval { get; init; }

    /// <summary>Seed of initialisation, batches and dropout: the same seed and thread count give the same model.</summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// A tokenizer file or folder (tokenizer.json, or GPT-2's encoder.json + vocab.bpe); null builds a character
    /// vocabulary from the text.
    /// </summary>
    public string? Tokenizer { get; init; }

    /// <summary>
    /// Where checkpoints go (best/ by validation loss, last/ to resume, log.jsonl), as <c>sharpformer train --out</c>
    /// writes them; null keeps the model in memory only.
    /// </summary>
    public string? OutputDirectory { get; init; }
}
