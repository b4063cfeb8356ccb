using System.CommandLine;
using System.Globalization;
using Sharpformer.Attention;
using Sharpformer.Data;
using Sharpformer.Data.ListOps;
using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer listops generate|train`: the Long Range Arena ListOps task (docs/listops.md), for comparing
/// attention variants at the same parameter count.
/// </summary>
internal static class ListOpsCommand
{
    /// <summary>What `listops train --json` prints.</summary>
    internal sealed record TrainResult(string Task, bool Parentheses, string Attention, ulong Seed, int Steps, string StoppedBy, double ValAccuracy,
        double TestAccuracy, double MajorityAccuracy, long Params, double Seconds);

    /// <summary>What `listops generate --json` prints: the files written and the trees in each.</summary>
    internal sealed record GenerateResult(IReadOnlyList<WrittenFile> Files);

    public static Command Create()
    {
        var listops = new Command("listops", "The Long Range Arena ListOps task: generate data, train and evaluate a classifier.");
        listops.Subcommands.Add(CreateGenerate());
        listops.Subcommands.Add(CreateTrain());
        return listops;
    }

    private static Command CreateGenerate()
    {
        var outDir = SharedOptions.Out("Folder for train.tsv, val.tsv and test.tsv");
        var paper = new Option<bool>("--paper") { Description = "The LRA setting: depth 10, up to 10 arguments, 500 < length < 2000, 96,000/2,000/2,000 trees" };
        var seed = SharedOptions.Seed("Seed of the generator", 1);
        var count = new Option<int?>("--count") { Description = "Training trees (default 20,000; 96,000 with --paper)" };
        var heldOut = new Option<int?>("--held-out") { Description = "Trees in each of val.tsv and test.tsv (default 1,000; 2,000 with --paper)" };
        var json = SharedOptions.Json();
        var command = new Command("generate", "Write random ListOps trees and their values as LRA-format TSV files.") { outDir, paper, seed, count, heldOut, json };
        command.SetAction(parse =>
        {
            var options = parse.GetValue(paper) ? ListOpsGeneratorOptions.Paper : new ListOpsGeneratorOptions();
            int train = parse.GetValue(count) ?? options.TrainCount, held = parse.GetValue(heldOut) ?? options.ValidCount;
            if (train < 1) throw new ArgumentException($"--count must be at least 1, got {train}.");
            if (held < 1) throw new ArgumentException($"--held-out must be at least 1, got {held}.");
            options = options with { Seed = parse.GetValue(seed), TrainCount = train, ValidCount = held, TestCount = held };
            var splits = ListOpsGenerator.Generate(options);
            var paths = ListOpsDataset.Save(parse.GetValue(outDir)!, splits);
            var io = CommandOutput.Of(parse);
            var counts = new[] { splits.Train.Count, splits.Valid.Count, splits.Test.Count };
            if (io.Json) io.WriteJson(new GenerateResult(paths.Select((p, i) => new WrittenFile(Path.GetFullPath(p), counts[i])).ToList()), CliJson.Default.ListOpsGenerateResult);
            else for (int i = 0; i < paths.Count; i++) io.Result.WriteLine($"{paths[i]}: {counts[i]} trees");
            return 0;
        });
        return command;
    }

    private static Command CreateTrain()
    {
        var defaults = new ClassificationTrainingOptions();
        var data = SharedOptions.Data("Folder with train/val/test TSV files (from `listops generate` or the LRA release)");
        var attention = new Option<string>("--attention") { Description = $"Attention variant: {string.Join(", ", AttentionVariants.Names)}", DefaultValueFactory = _ => "full" };
        var steps = SharedOptions.Steps("Optimizer steps", defaults.Steps);
        var timeLimit = SharedOptions.TimeLimit();
        var seed = SharedOptions.Seed("Seed for initialisation and data order", defaults.Seed);
        var outDir = SharedOptions.OptionalOut("Folder for the checkpoint (model/) and log.jsonl");
        var json = SharedOptions.Json();
        var quiet = SharedOptions.Quiet();
        var (layers, heads, width) = SharedOptions.Shape("Encoder layers", 2, 4, 64);
        var batchSize = SharedOptions.BatchSize("Sequences per step", defaults.BatchSize);
        var learningRate = SharedOptions.LearningRate("Peak learning rate", defaults.MaxLr);
        var warmup = new Option<int?>("--warmup") { Description = "Warm-up steps (default: a tenth of --steps, at most 100)" };
        var evalInterval = SharedOptions.EvalInterval("Steps between validation evaluations (default: --steps / 4)");
        var maxLength = new Option<int?>("--max-length") { Description = "Positions of the model (default: the longest sequence in the data, classification token included)" };
        var noParentheses = new Option<bool>("--no-parentheses") { Description = "Leave the parentheses out of the model's input (a third of the length; the brackets keep the structure)" };
        var command = new Command("train", "Train an encoder classifier on ListOps and report validation and test accuracy.")
            { data, attention, steps, timeLimit, seed, outDir, json, quiet, layers, width, heads, batchSize, learningRate, warmup, evalInterval, maxLength, noParentheses };
        command.SetAction(parse =>
        {
            string variant = parse.GetValue(attention)!;
            try { AttentionVariants.Create(variant); }
            catch (ArgumentException e) { throw new ArgumentException($"--attention: {e.Message}"); }
            int stepCount = parse.GetValue(steps);
            if (stepCount < 1) throw new ArgumentException($"--steps must be at least 1, got {stepCount}.");
            double seconds = parse.GetValue(timeLimit);
            if (!(seconds >= 0)) throw new ArgumentException($"--time-limit must be ≥ 0 seconds, got {seconds}.");
            var splits = ListOpsDataset.Load(parse.GetValue(data)!);
            bool parentheses = !parse.GetValue(noParentheses);
            var (train, valid, test) = (Encode(splits.Train, parentheses), Encode(splits.Valid, parentheses), Encode(splits.Test, parentheses));
            int longest = train.Concat(valid).Concat(test).Max(e => e.Tokens.Length);
            int positions = parse.GetValue(maxLength) ?? longest;
            if (positions < longest) throw new ArgumentException($"--max-length {positions} is shorter than the longest sequence in the data ({longest} tokens).");
            int c = parse.GetValue(width);
            var config = new SequenceClassifierConfig(parse.GetValue(layers), parse.GetValue(heads), c, 4 * c, positions, ListOpsVocabulary.Size, 10, Attention: variant);
            var options = defaults with
            {
                Steps = stepCount,
                TimeLimitSeconds = seconds,
                Seed = parse.GetValue(seed),
                BatchSize = parse.GetValue(batchSize),
                MaxLr = parse.GetValue(learningRate),
                MinLr = parse.GetValue(learningRate) / 10,
                WarmupSteps = parse.GetValue(warmup) ?? Math.Min(100, stepCount / 10),
                EvalInterval = parse.GetValue(evalInterval) ?? Math.Max(1, stepCount / 4),
            };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = new SequenceClassifier(config, options.Seed);
            var trainer = new ClassificationTrainer(model, ListOpsVocabulary.Tokens, train, valid, options);
            var io = CommandOutput.Of(parse);
            var progress = io.Progress;
            progress.WriteLine($"listops: {train.Count:N0} training trees, longest sequence {longest} tokens; model: {model.ParameterCount():N0} parameters, " +
                $"{config.Layers} layers, width {c}, {config.Heads} heads, attention {variant}");
            trainer.Run(parse.GetValue(outDir), new LossPrinter(progress).Report);
            var stoppedBy = trainer.StoppedBy!.Value;
            progress.WriteLine(trainer.Budget.Describe(stoppedBy, trainer.Step, trainer.Elapsed));
            double testAccuracy = ClassificationTrainer.Accuracy(model, test, options.BatchSize);
            double total = clock.Elapsed.TotalSeconds;
            double majority = MajorityShare(train, test);
            if (io.Json)
                io.WriteJson(new TrainResult("listops", parentheses, variant, options.Seed, trainer.Step, TrainingBudget.Name(stoppedBy), Math.Round(trainer.ValAccuracy, 4),
                    Math.Round(testAccuracy, 4), Math.Round(majority, 4), model.ParameterCount(), Math.Round(total, 1)), CliJson.Default.ListOpsTrainResult);
            else
                io.Result.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"attention {variant}: val accuracy {trainer.ValAccuracy:P1}, test accuracy {testAccuracy:P1} (majority class {majority:P1}), " +
                    $"{model.ParameterCount():N0} parameters, {trainer.Step} steps (ended by the {(stoppedBy == StopReason.Time ? "time limit" : "step limit")}), {total:F0} s"));
            return 0;
        });
        return command;
    }

    private static List<ClassificationExample> Encode(IReadOnlyList<ListOpsExample> examples, bool parentheses) =>
        examples.Select(e => e.Encode(parentheses)).ToList();

    /// <summary>Test accuracy of always answering the most frequent training label.</summary>
    private static double MajorityShare(IReadOnlyList<ClassificationExample> train, IReadOnlyList<ClassificationExample> test)
    {
        int majority = train.GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        return test.Count == 0 ? double.NaN : test.Count(e => e.Label == majority) / (double)test.Count;
    }

    /// <summary>Prints the mean training loss every 5% of the budget (steps or time), and every evaluation.</summary>
    private sealed class LossPrinter(TextWriter output)
    {
        private double _sum;
        private int _count, _lastPrinted;

        public void Report(ClassificationEvent e)
        {
            if (e.ValAccuracy is double accuracy)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {e.Step,6}: val accuracy {accuracy:P1}, {e.Elapsed:hh\\:mm\\:ss}"));
                return;
            }
            _sum += e.Loss;
            _count++;
            int twentieth = (int)(e.Progress * 20);
            if (twentieth == _lastPrinted && e.Progress < 1) return;
            _lastPrinted = twentieth;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {e.Step,6} loss {_sum / _count:F4} lr {e.LearningRate:G3} | {100 * e.Progress:F0}% | {e.Elapsed:hh\\:mm\\:ss}"));
            (_sum, _count) = (0, 0);
        }
    }
}
