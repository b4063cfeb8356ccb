using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sharpformer.Training;

/// <summary>How a sequence classifier is trained.</summary>
internal sealed record ClassificationTrainingOptions
{
    [JsonPropertyName("max_steps")] public int Steps { get; init; } = 1000;
    /// <summary>Training time budget in seconds (0 = none): training stops at whichever limit comes first, and the
    /// schedule follows the nearer one (<see cref="TrainingBudget"/>).</summary>
    [JsonPropertyName("time_limit_s")] public double TimeLimitSeconds { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 32;
    [JsonPropertyName("learning_rate")] public float MaxLr { get; init; } = 1e-3f;
    [JsonPropertyName("min_lr")] public float MinLr { get; init; } = 1e-4f;
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; } = 100;
    /// <summary>"cosine" (warm-up then cosine to min_lr at the end of the budget) or "noam" (warm-up then 1/√step).</summary>
    [JsonPropertyName("schedule")] public string Schedule { get; init; } = "cosine";
    [JsonPropertyName("beta1")] public float Beta1 { get; init; } = 0.9f;
    [JsonPropertyName("beta2")] public float Beta2 { get; init; } = 0.98f;
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; init; } = 0.01f;
    [JsonPropertyName("grad_clip")] public float GradClip { get; init; } = 1.0f;
    [JsonPropertyName("eval_interval")] public int EvalInterval { get; init; } = 250;
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    public ILearningRateSchedule CreateSchedule() => Schedule switch
    {
        "cosine" => new CosineSchedule(MaxLr, MinLr, WarmupSteps, Steps),
        "noam" => new InverseSqrtSchedule(MaxLr, WarmupSteps),
        _ => throw new ArgumentException($"Unknown schedule '{Schedule}'; expected cosine or noam."),
    };

    public TrainingBudget Budget() => TrainingBudget.Of(Steps, TimeLimitSeconds);

    public ClassificationTrainingOptions Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Classification training options: {what}."); }
        Require(Steps >= 0, $"max_steps must be ≥ 0, got {Steps}");
        Require(TimeLimitSeconds >= 0, $"time_limit_s must be ≥ 0, got {TimeLimitSeconds}");
        Require(BatchSize >= 1, $"batch_size must be ≥ 1, got {BatchSize}");
        Require(MaxLr > 0 && MinLr >= 0 && MinLr <= MaxLr, $"need 0 ≤ min_lr ≤ learning_rate, got {MinLr} and {MaxLr}");
        Require(WarmupSteps >= 0, $"warmup_steps must be ≥ 0, got {WarmupSteps}");
        Require(GradClip >= 0 && WeightDecay >= 0, "grad_clip and weight_decay must be ≥ 0");
        Require(EvalInterval >= 1, $"eval_interval must be ≥ 1, got {EvalInterval}");
        CreateSchedule();
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, TrainingJson.Default.ClassificationTrainingOptions);
    public static ClassificationTrainingOptions FromJson(string json) => JsonOverDefaults.Read(json, TrainingJson.Default.ClassificationTrainingOptions);
}
