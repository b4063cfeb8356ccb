using System.CommandLine;
using System.Text.Json;
using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer train`: trains a GPT on a text file, with checkpoints and resume.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Training text (UTF-8); the first 90% trains, the rest validates", Required = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = "char (the corpus's characters) or a tokenizer file/folder", DefaultValueFactory = _ => "char" };
        var config = new Option<string>("--config") { Description = $"Preset ({string.Join(", ", GptPresets.All.Select(p => p.Name))}) or a JSON file with model and training fields", DefaultValueFactory = _ => "shakespeare-cpu" };
        var output = new Option<string>("--out") { Description = "Output folder (best/, last/, log.jsonl)", DefaultValueFactory = _ => "runs/gpt" };
        var resume = new Option<bool>("--resume") { Description = "Continue from OUT/last" };
        var steps = new Option<int?>("--steps") { Description = "Total optimizer steps (overrides the preset)" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Training time budget in seconds (0 = none): training ends at the steps or the time, whichever comes first, warm-up and decay following the nearer" };
        var batch = new Option<int?>("--batch") { Description = "Batch size (overrides the preset)" };
        var lr = new Option<float?>("--lr") { Description = "Peak learning rate (overrides the preset)" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed for initialisation, batches and dropout" };
        var evalInterval = new Option<int?>("--eval-interval") { Description = "Steps between evaluations" };
        var evalIters = new Option<int?>("--eval-iters") { Description = "Batches per evaluation estimate" };
        var attention = new Option<string?>("--attention") { Description = "Attention variant (overrides the preset)" };
        var activation = new Option<string?>("--activation") { Description = "Feed-forward activation: gelu, gelu_exact, relu, identity, or none for no feed-forward block (overrides the preset)" };
        var stopAt = new Option<int?>("--stop-at") { Description = "Stop (with a resumable checkpoint) after this step, leaving the schedule unchanged" };
        var cmd = new Command("train", "Train a GPT language model on a text file.")
            { data, tokenizer, config, output, resume, steps, timeLimit, batch, lr, seed, evalInterval, evalIters, attention, activation, stopAt };
        cmd.SetAction(parse =>
        {
            var outDir = parse.GetValue(output)!;
            var text = CorpusTokens.ReadText(parse.GetValue(data)!);
            GptTrainer trainer;
            if (parse.GetValue(resume))
            {
                var last = Path.Combine(outDir, "last");
                trainer = GptTrainer.Resume(last, tok => tok.Encode(text));
                Console.Error.WriteLine($"resuming {last} at step {trainer.Step}");
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
                    EvalBatches = parse.GetValue(evalIters) ?? options.EvalBatches,
                };
                if (parse.GetValue(steps) is int s && options.DecaySteps == null) options = options with { DecaySteps = s };
                if (parse.GetValue(attention) is string a) modelConfig = modelConfig with { Attention = a };
                if (parse.GetValue(activation) is string f) modelConfig = modelConfig with { Activation = f };
                var model = new Gpt(modelConfig, options.Seed);
                trainer = new GptTrainer(model, tok, new TokenBatches(tok.Encode(text), options.TrainFraction, modelConfig.BlockSize), options);
                Console.Error.WriteLine($"model: {model.ParameterCount():N0} parameters, {modelConfig.Layers} layers, {modelConfig.Heads} heads, " +
                    $"width {modelConfig.Embedding}, block {modelConfig.BlockSize}, vocab {modelConfig.VocabSize} ({tok.Name}); {options.Budget()}, batch {options.Batch}");
            }
            var progress = new TrainingProgressPrinter(Console.Error);
            int firstStep = trainer.Step;
            trainer.Run(outDir, progress.Report, parse.GetValue(stopAt));
            progress.Finish();
            int trained = trainer.Step - firstStep;
            long tokens = (long)trained * trainer.Options.Batch * trainer.Options.GradAccumulation * trainer.Model.Config.BlockSize;
            Console.Error.WriteLine($"{trainer.Budget.Describe(trainer.StoppedBy!.Value, trainer.Step, trainer.Elapsed)}; " +
                $"{trained} steps in {trainer.TrainSeconds:F1} s of training ({tokens / Math.Max(1e-9, trainer.TrainSeconds):N0} tokens/s; evaluations excluded)");
            Console.Error.WriteLine($"best validation loss {trainer.BestValLoss:F4}; checkpoints in {Path.GetFullPath(outDir)}");
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
            var config = JsonSerializer.Deserialize<GptConfig>(json) ?? throw new InvalidDataException($"--config {spec}: empty file.");
            var options = GptTrainingOptions.FromJson(json);
            return ((config with { VocabSize = vocabSize }).Validated(), options.Validated());
        }
        catch (JsonException e) { throw new InvalidDataException($"--config {spec}: not a valid config file ({e.Message})."); }
    }
}
