using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Serialization;
using Sharpformer.Attention;
using Sharpformer.Data;
using Sharpformer.Data.Recall;
using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer recall`: trains a small GPT from scratch on associative recall (or copying) at one sequence
/// length and prints its answer accuracy on held-out sequences, to compare attention variants on whether
/// they still find information far back.
/// </summary>
internal static class RecallCommand
{
    /// <summary>What `recall --json` prints.</summary>
    internal sealed record Result(string Task, [property: JsonPropertyName("T")] int T, string Attention, ulong Seed, int Steps, string StoppedBy, int? StartLength,
        int? LongestLearnedLength, int? FullLengthFromStep, double Accuracy, double Chance, int Answers, double Loss, long Params, double Seconds);

    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "recall (key–value pairs, then queries) or copy (a segment, then its copy)", DefaultValueFactory = _ => "recall" };
        var length = new Option<int>("--length") { Description = "T: tokens per sequence (and the model's block size)", DefaultValueFactory = _ => 1024 };
        var pairs = new Option<int>("--pairs") { Description = "recall: key–value pairs per sequence (all of them are queried)", DefaultValueFactory = _ => 8 };
        var keys = new Option<int>("--keys") { Description = "recall: size of the key alphabet", DefaultValueFactory = _ => 16 };
        var values = new Option<int>("--values") { Description = "Size of the answer alphabet (recall: values; copy: symbols); chance is 1/values", DefaultValueFactory = _ => 16 };
        var keyed = new Option<bool>("--keyed-values") { Description = "recall: each key has its own value tokens, so one hop of attention answers (retrieval alone)" };
        var distinct = new Option<bool>("--distinct-queries") { Description = "recall: queries use tokens of their own (q3 asks for k3's value), never a copy of an earlier token" };
        var segment = new Option<int>("--segment") { Description = "copy: symbols to copy", DefaultValueFactory = _ => 16 };
        var attention = new Option<string>("--attention") { Description = $"Attention variant: {string.Join(", ", AttentionVariants.Names)}", DefaultValueFactory = _ => "flash" };
        var (layers, heads, width) = SharedOptions.Shape("Transformer blocks", 2, 2, 64);
        var steps = SharedOptions.Steps("Optimizer steps, each on a fresh batch", 300);
        var timeLimit = SharedOptions.TimeLimit();
        var batch = SharedOptions.BatchSize("Sequences per step", 8);
        var lr = SharedOptions.LearningRate("Peak learning rate (warm-up over the first 10% of steps, at most 100 with a curriculum; cosine to a tenth)", 3e-3f);
        var eval = new Option<int>("--eval-sequences") { Description = "Held-out sequences scored at the end", DefaultValueFactory = _ => 64 };
        var startLength = new Option<int?>("--start-length") { Description = "Length curriculum: train at this length first, doubling it (below --length) each time 90% of recent training answers are right" };
        var fullLengthSteps = new Option<int?>("--full-length-steps") { Description = "With --start-length: steps at --length once the curriculum reaches it (default: the rest of --steps)" };
        var stepsPerLength = new Option<int?>("--steps-per-length") { Description = "With --start-length: the most steps at each length after the first before moving on regardless (default: no cap)" };
        var seed = SharedOptions.Seed("Seed for the weights and the training sequences (the held-out set has its own)", 1);
        var json = SharedOptions.Json();
        var quiet = SharedOptions.Quiet();
        var cmd = new Command("recall", "Train a small GPT on associative recall (or copying) at length T and report held-out answer accuracy.")
            { task, length, pairs, keys, values, keyed, distinct, segment, attention, layers, heads, width, steps, timeLimit, batch, lr, eval, startLength, stepsPerLength, fullLengthSteps, seed, json, quiet };
        cmd.SetAction(parse =>
        {
            int t = parse.GetValue(length), nh = parse.GetValue(heads), c = parse.GetValue(width);
            Require(t >= 2, $"--length must be ≥ 2, got {t}.");
            SharedOptions.RequireShape(parse.GetValue(layers), nh, c);
            Require(parse.GetValue(steps) >= 1, $"--steps must be ≥ 1, got {parse.GetValue(steps)}.");
            Require(parse.GetValue(timeLimit) >= 0, $"--time-limit must be ≥ 0 seconds, got {parse.GetValue(timeLimit)}.");
            Require(parse.GetValue(batch) >= 1, $"--batch-size must be ≥ 1, got {parse.GetValue(batch)}.");
            Require(parse.GetValue(lr) > 0, $"--lr must be positive, got {parse.GetValue(lr)}.");
            Require(parse.GetValue(eval) >= 1, $"--eval-sequences must be ≥ 1, got {parse.GetValue(eval)}.");
            int? start = parse.GetValue(startLength);
            Require(start is null || (start >= 1 && start < t), $"--start-length must be in [1, --length = {t}), got {start}.");
            int? atFullLength = parse.GetValue(fullLengthSteps);
            Require(atFullLength is null || (start is not null && atFullLength >= 1), $"--full-length-steps must be ≥ 1 and needs --start-length, got {atFullLength}.");
            int? perLength = parse.GetValue(stepsPerLength);
            Require(perLength is null || (start is not null && perLength >= 1), $"--steps-per-length must be ≥ 1 and needs --start-length, got {perLength}.");
            var sequences = CreateTask(parse.GetValue(task)!, t, parse.GetValue(pairs), parse.GetValue(keys), parse.GetValue(values), parse.GetValue(keyed), parse.GetValue(distinct), parse.GetValue(segment));
            string variant = parse.GetValue(attention)!;
            try { AttentionVariants.Create(variant); }
            catch (ArgumentException e) { throw new ArgumentException($"--attention: {CliApp.PlainMessage(e)}"); }

            int totalSteps = parse.GetValue(steps);   // a budget: a curriculum may end sooner
            var options = new SequenceTaskTrainingOptions
            {
                Steps = totalSteps,
                TimeLimitSeconds = parse.GetValue(timeLimit),
                Batch = parse.GetValue(batch),
                MaxLr = parse.GetValue(lr),
                MinLr = parse.GetValue(lr) / 10,
                // A curriculum takes an unknown share of the budget: its warm-up is short.
                WarmupSteps = start is null ? totalSteps / 10 : Math.Min(totalSteps / 10, 100),
                Seed = parse.GetValue(seed),
                EvalSequences = parse.GetValue(eval),
                StartLength = start,
                StepsAtFullLength = atFullLength,
                StepsPerLength = perLength,
            };
            var config = new GptConfig(parse.GetValue(layers), nh, c, t, sequences.VocabSize, Attention: variant);
            var model = new Gpt(config, options.Seed);
            SequenceTaskTrainer trainer;
            try { trainer = new SequenceTaskTrainer(model, sequences, options); }
            catch (ArgumentException e) when (start is not null) { throw new ArgumentException($"--start-length: {CliApp.PlainMessage(e)}"); }
            var io = CommandOutput.Of(parse);
            io.Progress.WriteLine($"{sequences.Name} at T = {t}: {model.ParameterCount():N0} parameters, {config.Layers} layers, {nh} heads, " +
                $"width {c}, attention {variant}; {options.Budget()}, batch {options.Batch}" +
                (start is null ? "" : $", a curriculum growing the length from {start}"));

            var progress = new TrainingProgressPrinter(io.Progress, io.ProgressIsLive);
            var clock = Stopwatch.StartNew();
            int trainedLength = trainer.CurrentLength;
            int? fullLengthFrom = null;
            long tokens = 0;
            trainer.Run((step, loss, rate) =>
            {
                tokens += (long)options.Batch * trainedLength;
                double seconds = clock.Elapsed.TotalSeconds;
                progress.Report(new TrainingEvent(step, totalSteps, loss, rate, seconds * 1000 / step, tokens / seconds, clock.Elapsed, Progress: trainer.Progress));
                if (trainer.CurrentLength == trainedLength) return;
                bool learned = trainer.LongestLearnedLength == trainedLength;
                trainedLength = trainer.CurrentLength;
                if (trainedLength == t) fullLengthFrom = step;
                progress.Finish();
                io.Progress.WriteLine(learned
                    ? $"step {step}: {options.AdvanceAccuracy:P0} of the recent answers right; now training at length {trainedLength}"
                    : $"step {step}: {perLength} steps without {options.AdvanceAccuracy:P0} of the answers right; now training at length {trainedLength}");
            });
            progress.Finish();
            var stoppedBy = trainer.StoppedBy!.Value;
            io.Progress.WriteLine(stoppedBy == StopReason.Steps && trainer.Step < totalSteps
                ? $"the steps at full length ended training after {trainer.Step:N0} steps and {trainer.Elapsed.TotalSeconds:F1} s"
                : trainer.Budget.Describe(stoppedBy, trainer.Step, trainer.Elapsed));
            var score = trainer.Evaluate();
            double elapsed = clock.Elapsed.TotalSeconds;
            if (io.Json)
                io.WriteJson(new Result(sequences.Name, t, variant, options.Seed, trainer.Step, TrainingBudget.Name(stoppedBy), start, trainer.LongestLearnedLength,
                    fullLengthFrom, Math.Round(score.Accuracy, 4), Math.Round(sequences.ChanceAccuracy, 4), score.Scored, Math.Round(score.Loss, 4),
                    model.ParameterCount(), Math.Round(elapsed, 1)), CliJson.Default.RecallResult);
            else
                io.Result.WriteLine($"held-out accuracy {score.Accuracy:F4} ({score.Correct}/{score.Scored} answers; chance {sequences.ChanceAccuracy:F4}), " +
                    $"loss {score.Loss:F4}; {trainer.Step} steps in {elapsed:F1} s");
            return 0;
        });
        return cmd;
    }

    private static ISequenceTask CreateTask(string name, int length, int pairs, int keys, int values, bool keyed, bool distinct, int segment)
    {
        switch (name)
        {
            case "recall":
                Require(pairs >= 1, $"--pairs must be ≥ 1, got {pairs}.");
                Require(keys >= pairs, $"--keys ({keys}) must be ≥ --pairs ({pairs}): keys within a sequence are distinct.");
                Require(values >= 2, $"--values must be ≥ 2, got {values}.");
                Require(length >= 4 * pairs + 1, $"--length {length} is too short for --pairs {pairs}: need at least {4 * pairs + 1} tokens.");
                return new AssociativeRecall(new AssociativeRecallOptions { Length = length, Pairs = pairs, Keys = keys, Values = values, KeyedValues = keyed, DistinctQueries = distinct });
            case "copy":
                Require(segment >= 1, $"--segment must be ≥ 1, got {segment}.");
                Require(values >= 2, $"--values must be ≥ 2, got {values}.");
                Require(length >= 2 * segment + 1, $"--length {length} is too short for --segment {segment}: need at least {2 * segment + 1} tokens.");
                return new CopyTask(length, segment, values);
            default:
                throw new ArgumentException($"--task must be recall or copy, got '{name}'.");
        }
    }

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
