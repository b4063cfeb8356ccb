using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sharpformer.Training;

/// <summary>How a GPT is trained (nanoGPT's train.py settings).</summary>
internal sealed record GptTrainingOptions
{
    [JsonPropertyName("max_iters")] public int Steps { get; init; } = 2000;
    /// <summary>Training time budget in seconds (0 = none): training stops at whichever of the two limits comes first,
    /// and the schedule follows the nearer one (<see cref="TrainingBudget"/>).</summary>
    [JsonPropertyName("time_limit_s")] public double TimeLimitSeconds { get; init; }
    [JsonPropertyName("batch_size")] public int Batch { get; init; } = 12;
    [JsonPropertyName("gradient_accumulation_steps")] public int GradAccumulation { get; init; } = 1;
    [JsonPropertyName("learning_rate")] public float MaxLr { get; init; } = 1e-3f;
    [JsonPropertyName("min_lr")] public float MinLr { get; init; } = 1e-4f;
    [JsonPropertyName("warmup_iters")] public int WarmupSteps { get; init; } = 100;
    [JsonPropertyName("lr_decay_iters")] public int? DecaySteps { get; init; }
    [JsonPropertyName("beta1")] public float Beta1 { get; init; } = 0.9f;
    [JsonPropertyName("beta2")] public float Beta2 { get; init; } = 0.99f;
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; init; } = 0.1f;
    [JsonPropertyName("grad_clip")] public float GradClip { get; init; } = 1.0f;
    [JsonPropertyName("eval_interval")] public int EvalInterval { get; init; } = 250;
    [JsonPropertyName("eval_iters")] public int EvalBatches { get; init; } = 20;
    [JsonPropertyName("train_fraction")] public double TrainFraction { get; init; } = 0.9;
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1337;

    public ILearningRateSchedule Schedule() => new CosineSchedule(MaxLr, MinLr, WarmupSteps, DecaySteps ?? Steps);

    public TrainingBudget Budget() => TrainingBudget.Of(Steps, TimeLimitSeconds);

    public GptTrainingOptions Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Training options: {what}."); }
        Require(Steps >= 0, $"max_iters must be ≥ 0, got {Steps}");
        Require(TimeLimitSeconds >= 0, $"time_limit_s must be ≥ 0, got {TimeLimitSeconds}");
        Require(Batch >= 1, $"batch_size must be ≥ 1, got {Batch}");
        Require(GradAccumulation >= 1, $"gradient_accumulation_steps must be ≥ 1, got {GradAccumulation}");
        Require(MaxLr > 0 && MinLr >= 0 && MinLr <= MaxLr, $"need 0 ≤ min_lr ≤ learning_rate, got {MinLr} and {MaxLr}");
        Require(EvalInterval >= 1 && EvalBatches >= 1, "eval_interval and eval_iters must be ≥ 1");
        Require(TrainFraction > 0 && TrainFraction < 1, $"train_fraction must be in (0, 1), got {TrainFraction}");
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, TrainingJson.Default.GptTrainingOptions);
    public static GptTrainingOptions FromJson(string json) => JsonOverDefaults.Read(json, TrainingJson.Default.GptTrainingOptions);
}
