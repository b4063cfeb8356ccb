using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sharpformer.Training;

/// <summary>How a translator is trained.</summary>
internal sealed record TranslationTrainingOptions
{
    [JsonPropertyName("max_steps")] public int Steps { get; init; } = 4000;
    /// <summary>
    /// Training time budget in seconds (0 = none): training stops at whichever limit comes first, and warm-up
    /// and decay follow the nearer one (<see cref="TrainingBudget"/>).
    /// </summary>
    [JsonPropertyName("time_limit_s")] public double TimeLimitSeconds { get; init; }
    [JsonPropertyName("batch_tokens")] public int BatchTokens { get; init; } = 4096;
    [JsonPropertyName("learning_rate")] public float MaxLr { get; init; } = 1e-3f;
    [JsonPropertyName("min_lr")] public float MinLr { get; init; } = 1e-4f;
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; } = 200;
    /// <summary>
    /// "cosine" (warm-up then cosine to min_lr at the end of the budget), "wsd" (warm-up, the peak held, then a
    /// cosine to min_lr over the last decay_fraction of the budget) or "noam" (warm-up then 1/√step), all laid out
    /// over max_steps and followed at the pace of the budget.
    /// </summary>
    [JsonPropertyName("schedule")] public string Schedule { get; init; } = "cosine";
    /// <summary>With "wsd": the share of the budget, at its end, over which the rate decays.</summary>
    [JsonPropertyName("decay_fraction")] public double DecayFraction { get; init; } = 0.3;
    [JsonPropertyName("beta1")] public float Beta1 { get; init; } = 0.9f;
    [JsonPropertyName("beta2")] public float Beta2 { get; init; } = 0.98f;
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; init; } = 0.01f;
    [JsonPropertyName("grad_clip")] public float GradClip { get; init; } = 1.0f;
    [JsonPropertyName("label_smoothing")] public float LabelSmoothing { get; init; } = 0.1f;
    [JsonPropertyName("eval_interval")] public int EvalInterval { get; init; } = 500;
    /// <summary>Validation sentences decoded for BLEU at each evaluation (0 = all).</summary>
    [JsonPropertyName("eval_sentences")] public int EvalSentences { get; init; } = 500;
    [JsonPropertyName("eval_beam")] public int EvalBeam { get; init; } = 1;
    [JsonPropertyName("max_sentence_tokens")] public int MaxSentenceTokens { get; init; } = 100;
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    public ILearningRateSchedule CreateSchedule() => Schedule switch
    {
        "cosine" => new CosineSchedule(MaxLr, MinLr, WarmupSteps, Steps),
        "wsd" => new WarmupStableDecaySchedule(MaxLr, MinLr, WarmupSteps, Math.Max(WarmupSteps, (1 - DecayFraction) * Steps), Steps),
        "noam" => new InverseSqrtSchedule(MaxLr, WarmupSteps),
        _ => throw new ArgumentException($"Unknown schedule '{Schedule}'; expected cosine, wsd or noam."),
    };

    public TrainingBudget Budget() => TrainingBudget.Of(Steps, TimeLimitSeconds);

    public TranslationTrainingOptions Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Translation training options: {what}."); }
        Require(Steps >= 0 && TimeLimitSeconds >= 0, "max_steps and time_limit_s must be ≥ 0");
        Require(BatchTokens >= 16, $"batch_tokens must be ≥ 16, got {BatchTokens}");
        Require(MaxLr > 0 && MinLr >= 0 && MinLr <= MaxLr, $"need 0 ≤ min_lr ≤ learning_rate, got {MinLr} and {MaxLr}");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, $"label_smoothing must be in [0, 1), got {LabelSmoothing}");
        Require(EvalInterval >= 1 && EvalSentences >= 0 && EvalBeam >= 1, "eval_interval and eval_beam must be ≥ 1, eval_sentences ≥ 0");
        Require(MaxSentenceTokens >= 2, "max_sentence_tokens must be ≥ 2");
        Require(DecayFraction is > 0 and <= 1, $"decay_fraction must be in (0, 1], got {DecayFraction}");
        CreateSchedule();
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, TrainingJson.Default.TranslationTrainingOptions);
    public static TranslationTrainingOptions FromJson(string json) => JsonOverDefaults.Read(json, TrainingJson.Default.TranslationTrainingOptions);
}
