using System.CommandLine;
using System.Text.Json;
using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer train`: trains a GPT on a text file, with checkpoints and resume.</summary>
internal static class TrainCommand
{
    /// <summary>What `train` prints when it is done (one JSON object with --json).</summary>
    internal sealed record Result(int Steps, string StoppedBy, int StepsTrained, double TrainSeconds, double TokensPerSecond, float BestValLoss, string Out);

    public static Command Create()
    {
        var data = SharedOptions.Data("Training text (UTF-8); the first 90% trains, the rest validates");
        var tokenizer = new Option<string>("--tokenizer") { Description = "char (the corpus's characters) or a tokenizer file/folder", DefaultValueFactory = _ => "char" };
        var config = SharedOptions.Config($"Preset ({string.Join(", ", GptPresets.All.Select(p => p.Name))}) or a JSON file with model and training fields", "shakespeare-cpu");
        var output = SharedOptions.Out("Output folder (best/, last/, log.jsonl)", "runs/gpt");
        var resume = new Option<bool>("--resume") { Description = "Continue from OUT/last" };
        var steps = SharedOptions.StepsOverride("Total optimizer steps (overrides the preset)");
        var timeLimit = SharedOptions.TimeLimitOverride();
        var batch = SharedOptions.BatchSizeOverride("Sequences per step (overrides the preset)");
        var lr = SharedOptions.LearningRateOverride("Peak learning rate (overrides the preset)");
        var seed = SharedOptions.SeedOverride("Seed for initialisation, batches and dropout (overrides the preset)");
        var (layers, heads, width) = SharedOptions.ShapeOverride("Transformer blocks");
        var evalInterval = SharedOptions.EvalInterval("Steps between evaluations (overrides the preset)");
        var evalBatches = new Option<int?>("--eval-batches") { Description = "Batches per evaluation estimate (overrides the preset)" };
        var attention = new Option<string?>("--attention") { Description = "Attention variant (overrides the preset)" };
        var activation = new Option<string?>("--activation") { Description = "Feed-forward activation: gelu, gelu_exact, relu, identity, or none for no feed-forward block (overrides the preset)" };
        var stopAt = SharedOptions.StopAt();
        var json = SharedOptions.Json();
        var quiet = SharedOptions.Quiet();
        var cmd = new Command("train", "Train a GPT language model on a text file.")
            { data, tokenizer, config, output, resume, steps, timeLimit, batch, lr, seed, layers, heads, width, evalInterval, evalBatches, attention, activation, stopAt, json, quiet };
        cmd.SetAction(parse =>
        {
            var io = CommandOutput.Of(parse);
            var outDir = parse.GetValue(output)!;
            var text = CorpusTokens.ReadText(parse.GetValue(data)!);
            GptTrainer trainer;
            if (parse.GetValue(resume))
            {
                var last = Path.Combine(outDir, "last");
                trainer = GptTrainer.Resume(last, tok => tok.Encode(text));
                io.Progress.WriteLine($"resuming {last} at step {trainer.Step}");
            }
            else
            {
                var tok = CorpusTokens.CreateTokenizer(parse.GetValue(tokenizer)!, text);
                var (modelConfig, options) = LoadConfig(parse.GetValue(config)!, tok.VocabSize);
                options = options with
                {
                    Steps = parse.GetValue(steps) ?? options.Steps,
                    TimeLimitSeconds = parse.GetValue(timeLimit) ?? options.TimeLimitSeconds,
                    Batch = parse.GetValue(batch) ?? options.Batch,
                    MaxLr = parse.GetValue(lr) ?? options.MaxLr,
                    Seed = parse.GetValue(seed) ?? options.Seed,
                    EvalInterval = parse.GetValue(evalInterval) ?? options.EvalInterval,
                    EvalBatches = parse.GetValue(evalBatches) ?? options.EvalBatches,
                };
                if (parse.GetValue(steps) is int s && options.DecaySteps == null) options = options with { DecaySteps = s };
                modelConfig = modelConfig with
                {
                    Layers = parse.GetValue(layers) ?? modelConfig.Layers,
                    Heads = parse.GetValue(heads) ?? modelConfig.Heads,
                    Embedding = parse.GetValue(width) ?? modelConfig.Embedding,
                    Attention = parse.GetValue(attention) ?? modelConfig.Attention,
                    Activation = parse.GetValue(activation) ?? modelConfig.Activation,
                };
                SharedOptions.RequireShape(modelConfig.Layers, modelConfig.Heads, modelConfig.Embedding);
                var model = new Gpt(modelConfig.Validated(), options.Seed);
                trainer = new GptTrainer(model, tok, new TokenBatches(tok.Encode(text), options.TrainFraction, modelConfig.BlockSize), options);
                io.Progress.WriteLine($"model: {model.ParameterCount():N0} parameters, {modelConfig.Layers} layers, {modelConfig.Heads} heads, " +
                    $"width {modelConfig.Embedding}, block {modelConfig.BlockSize}, vocab {modelConfig.VocabSize} ({tok.Name}); {options.Budget()}, batch {options.Batch}");
            }
            var progress = new TrainingProgressPrinter(io.Progress, io.ProgressIsLive);
            int firstStep = trainer.Step;
            trainer.Run(outDir, progress.Report, parse.GetValue(stopAt));
            progress.Finish();
            int trained = trainer.Step - firstStep;
            long tokens = (long)trained * trainer.Options.Batch * trainer.Options.GradAccumulation * trainer.Model.Config.BlockSize;
            double tokensPerSecond = tokens / Math.Max(1e-9, trainer.TrainSeconds);
            var stoppedBy = trainer.StoppedBy!.Value;
            if (io.Json)
                io.WriteJson(new Result(trainer.Step, TrainingBudget.Name(stoppedBy), trained, Math.Round(trainer.TrainSeconds, 2), Math.Round(tokensPerSecond),
                    trainer.BestValLoss, Path.GetFullPath(outDir)), CliJson.Default.TrainResult);
            else
            {
                io.Result.WriteLine($"{trainer.Budget.Describe(stoppedBy, trainer.Step, trainer.Elapsed)}; " +
                    $"{trained} steps in {trainer.TrainSeconds:F1} s of training ({tokensPerSecond:N0} tokens/s; evaluations excluded)");
                io.Result.WriteLine($"best validation loss {trainer.BestValLoss:F4}; checkpoints in {Path.GetFullPath(outDir)}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>A preset name, or a JSON file whose fields are GptConfig's and GptTrainingOptions' (nanoGPT's names).</summary>
    private static (GptConfig, GptTrainingOptions) LoadConfig(string spec, int vocabSize)
    {
        if (!File.Exists(spec))
        {
            var preset = GptPresets.Get(spec);
            return (preset.Config(vocabSize), preset.Training);
        }
        var json = File.ReadAllText(spec);
        try
        {
            var config = JsonSerializer.Deserialize(json, CliJson.Default.GptConfig) ?? throw new InvalidDataException($"--config {spec}: empty file.");
            var options = GptTrainingOptions.FromJson(json);
            return ((config with { VocabSize = vocabSize }).Validated(), options.Validated());
        }
        catch (JsonException e) { throw new InvalidDataException($"--config {spec}: not a valid config file ({e.Message})."); }
    }
}
