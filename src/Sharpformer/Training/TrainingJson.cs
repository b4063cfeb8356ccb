using System.Text.Json.Serialization;

namespace Sharpformer.Training;

/// <summary>
/// Source-generated JSON of what training writes and reads back — options, checkpoint states, the vocabulary of a
/// classifier, log.jsonl lines — so that no file goes through reflection (ready for Native AOT). The options that
/// decide how each file is written are <see cref="Checkpoint"/>'s, with this context as their resolver.
/// </summary>
[JsonSerializable(typeof(GptTrainingOptions))]
[JsonSerializable(typeof(TranslationTrainingOptions))]
[JsonSerializable(typeof(ClassificationTrainingOptions))]
[JsonSerializable(typeof(TrainingState))]
[JsonSerializable(typeof(TranslationState))]
[JsonSerializable(typeof(ClassificationState))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(GptLogLine))]
[JsonSerializable(typeof(TranslationLogLine))]
[JsonSerializable(typeof(ClassificationLogLine))]
internal sealed partial class TrainingJson : JsonSerializerContext;

/// <summary>A line of a GPT run's log.jsonl, written at each evaluation (<see cref="GptTrainer"/>).</summary>
internal sealed record GptLogLine(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("train_loss")] float TrainLoss,
    [property: JsonPropertyName("val_loss")] float ValLoss,
    [property: JsonPropertyName("lr")] float LearningRate,
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("best")] bool Best,
    [property: JsonPropertyName("stopped_by")] string? StoppedBy);

/// <summary>A line of a translation run's log.jsonl, written at each evaluation (<see cref="TranslationTrainer"/>).</summary>
internal sealed record TranslationLogLine(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("val_loss")] float ValLoss,
    [property: JsonPropertyName("bleu")] double Bleu,
    [property: JsonPropertyName("chrf")] double ChrF,
    [property: JsonPropertyName("lr")] float LearningRate,
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("best")] bool Best,
    [property: JsonPropertyName("stopped_by")] string? StoppedBy,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMegabytes);

/// <summary>A line of a classifier run's log.jsonl, written at each evaluation (<see cref="ClassificationTrainer"/>).</summary>
internal sealed record ClassificationLogLine(
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("val_accuracy")] double ValAccuracy,
    [property: JsonPropertyName("elapsed_s")] double ElapsedSeconds,
    [property: JsonPropertyName("progress")] double Progress,
    [property: JsonPropertyName("stopped_by")] string? StoppedBy);
