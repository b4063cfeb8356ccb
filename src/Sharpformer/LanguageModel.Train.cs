using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer;

public sealed partial class LanguageModel
{
    /// <summary>
    /// Trains a GPT on <paramref name="text"/> (the first 90% trains, the rest validates) and returns it.
    /// <paramref name="progress"/> hears of every step and evaluation; cancelling <paramref name="cancellationToken"/>
    /// ends training at the next step with <see cref="OperationCanceledException"/> (the checkpoints written so far
    /// stay in <see cref="TrainingSettings.OutputDirectory"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The text is too short for the model's context, or a setting is out of range.</exception>
    public static LanguageModel Train(string text, TrainingSettings? settings = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        settings ??= new TrainingSettings();
        var tokenizer = settings.Tokenizer is string path ? TokenizerFiles.Load(path) : CharTokenizer.FromText(text);
        var preset = GptPresets.Get(settings.Preset);
        var config = preset.Config(tokenizer.VocabSize);
        var options = preset.Training with
        {
            Steps = settings.Steps ?? preset.Training.Steps,
            // The schedule decays over the steps asked for, as `sharpformer train --steps` does.
            DecaySteps = settings.Steps ?? preset.Training.DecaySteps,
            TimeLimitSeconds = settings.TimeLimit?.TotalSeconds ?? preset.Training.TimeLimitSeconds,
            Batch = settings.BatchSize ?? preset.Training.Batch,
            MaxLr = settings.LearningRate ?? preset.Training.MaxLr,
            EvalInterval = settings.EvaluationInterval ?? preset.Training.EvalInterval,
            Seed = settings.Seed ?? preset.Training.Seed,
        };
        var model = new Gpt(config, options.Seed);
        var data = new TokenBatches(tokenizer.Encode(text), options.TrainFraction, config.BlockSize);
        var trainer = new GptTrainer(model, tokenizer, data, options);
        cancellationToken.ThrowIfCancellationRequested();
        trainer.Run(settings.OutputDirectory, e =>
        {
            // The trainer reports every step: the place to stop it between two steps.
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new TrainingProgress(e.Step, e.TotalSteps, e.Loss, e.ValLoss, e.Progress, e.Elapsed, e.TokensPerSecond));
        });
        return new LanguageModel(model, tokenizer, "sharpformer-gpt");
    }
}
