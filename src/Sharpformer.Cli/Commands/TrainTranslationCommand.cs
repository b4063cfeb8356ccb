using System.CommandLine;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer train-translation`: trains an encoder–decoder translator on parallel text.</summary>
internal static class TrainTranslationCommand
{
    /// <summary>What `train-translation` prints when it is done (one JSON object with --json).</summary>
    internal sealed record Result(int Steps, string StoppedBy, int StepsTrained, double TrainSeconds, double TargetTokensPerSecond, double BestBleu, string Out);

    /// <summary>Layers (encoder and decoder each), heads and width that replace the preset's where given.</summary>
    public readonly record struct Shape(int? Layers, int? Heads, int? Width)
    {
        /// <summary>The preset's config with the given sizes; a new width brings a feed-forward layer 4× as wide.</summary>
        public TranslatorConfig Apply(TranslatorConfig config) => config with
        {
            EncoderLayers = Layers ?? config.EncoderLayers,
            DecoderLayers = Layers ?? config.DecoderLayers,
            Heads = Heads ?? config.Heads,
            Embedding = Width ?? config.Embedding,
            Hidden = Width is int c ? 4 * c : config.Hidden,
        };
    }

    public static Command Create()
    {
        var train = new Option<string>("--train") { Description = "Training pairs: TSV (source<TAB>target) or the source side of aligned files", Required = true };
        var trainTarget = new Option<string?>("--train-target") { Description = "Target side when --train is an aligned source file" };
        var valid = new Option<string>("--valid") { Description = "Validation pairs (same formats)", Required = true };
        var validTarget = new Option<string?>("--valid-target") { Description = "Target side when --valid is an aligned source file" };
        var config = SharedOptions.Config($"Preset: {string.Join(", ", TranslationPresets.All.Select(p => p.Name))}", "tatoeba");
        var output = SharedOptions.Out("Output folder (best/, last/, log.jsonl)");
        var resume = new Option<bool>("--resume") { Description = "Continue from OUT/last" };
        var vocabSize = new Option<int?>("--vocab-size") { Description = "BPE vocabulary size (overrides the preset)" };
        var separate = new Option<bool>("--separate-vocab") { Description = "Separate source and target BPE vocabularies" };
        var steps = SharedOptions.StepsOverride("Maximum optimizer steps (overrides the preset)");
        var timeLimit = SharedOptions.TimeLimitOverride();
        var seed = SharedOptions.SeedOverride("Seed for initialisation, batches and dropout (overrides the preset)");
        var (layers, heads, width) = SharedOptions.ShapeOverride("Encoder layers and decoder layers, each");
        var evalInterval = SharedOptions.EvalInterval("Steps between validation evaluations (overrides the preset)");
        var attention = new Option<string?>("--attention") { Description = "Attention variant (overrides the preset)" };
        var activation = new Option<string?>("--activation") { Description = "Feed-forward activation: gelu, gelu_exact, relu, identity, or none for no feed-forward block (overrides the preset)" };
        var evalBeam = new Option<int?>("--eval-beam") { Description = "Beam width of the validation BLEU (overrides the preset; 1 = greedy)" };
        var stopAt = SharedOptions.StopAt();
        var json = SharedOptions.Json();
        var quiet = SharedOptions.Quiet();
        var cmd = new Command("train-translation", "Train an encoder–decoder translator on parallel text.")
            { train, trainTarget, valid, validTarget, config, output, resume, vocabSize, separate, steps, timeLimit, seed, layers, heads, width, evalInterval, evalBeam, attention, activation, stopAt, json, quiet };
        cmd.SetAction(parse =>
        {
            var io = CommandOutput.Of(parse);
            var trainPairs = ParallelCorpus.Read(parse.GetValue(train)!, parse.GetValue(trainTarget));
            var validPairs = ParallelCorpus.Read(parse.GetValue(valid)!, parse.GetValue(validTarget));
            var outDir = parse.GetValue(output)!;
            TranslationTrainer trainer;
            if (parse.GetValue(resume))
            {
                trainer = TranslationTrainer.Resume(Path.Combine(outDir, "last"), trainPairs, validPairs);
                io.Progress.WriteLine($"resuming {Path.Combine(outDir, "last")} at step {trainer.Step}");
            }
            else
            {
                var preset = TranslationPresets.Get(parse.GetValue(config)!);
                var options = (preset.Training with
                {
                    Steps = parse.GetValue(steps) ?? preset.Training.Steps,
                    TimeLimitSeconds = parse.GetValue(timeLimit) ?? preset.Training.TimeLimitSeconds,
                    Seed = parse.GetValue(seed) ?? preset.Training.Seed,
                    EvalInterval = parse.GetValue(evalInterval) ?? preset.Training.EvalInterval,
                    EvalBeam = parse.GetValue(evalBeam) ?? preset.Training.EvalBeam,
                }).Validated();
                var shape = new Shape(parse.GetValue(layers), parse.GetValue(heads), parse.GetValue(width));
                trainer = Build(preset, shape, options, trainPairs, validPairs, parse.GetValue(vocabSize) ?? preset.BpeVocabSize, parse.GetValue(separate), io.Progress,
                    attention: parse.GetValue(attention), activation: parse.GetValue(activation));
            }
            int firstStep = trainer.Step;
            Train(trainer, outDir, io.Progress, io.ProgressIsLive, stopAt: parse.GetValue(stopAt));
            if (io.Json)
                io.WriteJson(new Result(trainer.Step, TrainingBudget.Name(trainer.StoppedBy!.Value), trainer.Step - firstStep, Math.Round(trainer.TrainSeconds, 2),
                    Math.Round(TargetTokensPerSecond(trainer)), Math.Round(trainer.BestBleu, 2), Path.GetFullPath(outDir)), CliJson.Default.TrainTranslationResult);
            else io.Result.WriteLine(FormattableString.Invariant($"best validation BLEU {trainer.BestBleu:F2}; checkpoints in {Path.GetFullPath(outDir)}"));
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Trains BPE vocabularies on the training pairs and builds a fresh translator and its trainer; <paramref name="attention"/>
    /// and <paramref name="activation"/>, when given, replace the preset's.
    /// </summary>
    public static TranslationTrainer Build(TranslationPreset preset, Shape shape, TranslationTrainingOptions options,
        IReadOnlyList<SentencePair> train, IReadOnlyList<SentencePair> valid, int vocabSize, bool separateVocabularies, TextWriter log,
        string? attention = null, string? activation = null)
    {
        var started = DateTime.UtcNow;
        TranslationVocabulary source, target;
        if (separateVocabularies)
        {
            source = new TranslationVocabulary(VocabularyTraining.TrainBpe(train.Select(p => p.Source), vocabSize));
            target = new TranslationVocabulary(VocabularyTraining.TrainBpe(train.Select(p => p.Target), vocabSize));
        }
        else source = target = new TranslationVocabulary(VocabularyTraining.TrainBpe(train.SelectMany(p => new[] { p.Source, p.Target }), vocabSize));
        var config = shape.Apply(preset.Config(source.Size)) with { TargetVocab = target.Size, SharedVocabulary = !separateVocabularies };
        SharedOptions.RequireShape(config.EncoderLayers, config.Heads, config.Embedding);
        config = config with { Attention = attention ?? config.Attention, Activation = activation ?? config.Activation };
        var model = new Translator(config, options.Seed);
        var trainer = new TranslationTrainer(model, source, target, train, valid, options);
        log.WriteLine($"vocabulary: {source.Tokenizer.Name}{(separateVocabularies ? " + " + target.Tokenizer.Name : " (shared)")} in {(DateTime.UtcNow - started).TotalSeconds:F1} s; " +
            $"model: {model.ParameterCount():N0} parameters, {config.EncoderLayers}+{config.DecoderLayers} layers, width {config.Embedding}, {config.Heads} heads; " +
            $"{trainer.TrainPairs:N0} training pairs; {options.Budget()}");
        return trainer;
    }

    /// <summary>
    /// Runs the trainer with a progress line (rewritten in place when <paramref name="live"/>), then says on
    /// <paramref name="log"/> which bound ended training, the steps and the speed. With <paramref name="stopAt"/>, training ends
    /// after that step (if the budget has not ended it before) with a resumable checkpoint, the schedule still the whole budget's.
    /// </summary>
    public static void Train(TranslationTrainer trainer, string outDir, TextWriter log, bool live, Action<TranslationEvent>? alsoReport = null, int? stopAt = null)
    {
        var progress = new TranslationProgressPrinter(log, live);
        int firstStep = trainer.Step;
        trainer.Run(outDir, e => { progress.Report(e); alsoReport?.Invoke(e); }, stopAt);
        progress.Clear();
        log.WriteLine(FormattableString.Invariant(
            $"{trainer.Budget.Describe(trainer.StoppedBy!.Value, trainer.Step, trainer.Elapsed)}; {trainer.Step - firstStep:N0} steps at ") +
            FormattableString.Invariant($"{TargetTokensPerSecond(trainer):N0} target tokens/s (evaluations excluded), {ResidentMemory.DescribePeak()}"));
    }

    private static double TargetTokensPerSecond(TranslationTrainer trainer) => trainer.TrainTokens / Math.Max(1e-9, trainer.TrainSeconds);
}
