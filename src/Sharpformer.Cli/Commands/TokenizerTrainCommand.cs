using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sharpformer.Tokenization;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer tokenizer train --data FILE... --vocab-size N [--special TOK...] [--pattern P] --out FILE`.</summary>
internal static class TokenizerTrainCommand
{
    /// <summary>What `tokenizer train --json` prints.</summary>
    internal sealed record Result(string Out, int VocabSize, int Merges, int Special, double Seconds, double CountingSeconds, double MergingSeconds);

    public static Command Create()
    {
        var input = new Option<string[]>("--data") { Description = "Corpus files (UTF-8), read in chunks", Required = true, AllowMultipleArgumentsPerToken = true };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size: 256 bytes + merges + special tokens", Required = true };
        var special = new Option<string[]>("--special") { Description = "Special tokens, never split or merged (e.g. <|endoftext|> <pad>)", AllowMultipleArgumentsPerToken = true };
        var pattern = new Option<string>("--pattern") { Description = "Pre-tokenizer: gpt2, gpt4 or a regular expression", DefaultValueFactory = _ => "gpt2" };
        var output = SharedOptions.Out("Tokenizer file to write (the project's JSON format)");
        var json = SharedOptions.Json();
        var quiet = SharedOptions.Quiet();
        var command = new Command("train", "Learn a byte-level BPE vocabulary from text files.");
        foreach (var option in new Option[] { input, vocabSize, special, pattern, output, json, quiet }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var io = CommandOutput.Of(parse);
            var stderr = io.Progress;
            var options = new BpeTrainerOptions(parse.GetValue(vocabSize))
            {
                SpecialTokens = parse.GetValue(special) ?? [],
                Pattern = parse.GetValue(pattern)!,
            };
            var clock = Stopwatch.StartNew();
            var trainer = new BpeTrainer(options) { Progress = new LineProgress(stderr) };
            foreach (var path in parse.GetValue(input)!)
            {
                trainer.AddFile(path);
                stderr.WriteLine(Invariant($"read {path}: {trainer.CharactersRead:N0} characters so far, {trainer.DistinctWords:N0} distinct pre-tokens, {clock.Elapsed.TotalSeconds:F2} s"));
            }
            double countSeconds = clock.Elapsed.TotalSeconds;
            var tokenizer = trainer.Train();
            double totalSeconds = clock.Elapsed.TotalSeconds;
            var outPath = parse.GetValue(output)!;
            tokenizer.Save(outPath);
            if (io.Json)
                io.WriteJson(new Result(Path.GetFullPath(outPath), tokenizer.VocabSize, tokenizer.MergeCount, tokenizer.SpecialTokens.Count, Math.Round(totalSeconds, 3),
                    Math.Round(countSeconds, 3), Math.Round(totalSeconds - countSeconds, 3)), CliJson.Default.TokenizerTrainResult);
            else io.Result.WriteLine(Invariant($"wrote {outPath}: vocab {tokenizer.VocabSize} ({tokenizer.MergeCount} merges, {tokenizer.SpecialTokens.Count} special) in {totalSeconds:F2} s (counting {countSeconds:F2} s, merging {totalSeconds - countSeconds:F2} s)"));
            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Prints merges done, merges/s and ETA as lines on standard error.</summary>
    private sealed class LineProgress(TextWriter error) : IProgress<BpeTrainingProgress>
    {
        public void Report(BpeTrainingProgress p) =>
            error.WriteLine(Invariant($"merges {p.Merges}/{p.TotalMerges}  {p.MergesPerSecond:F0} merges/s  ETA {p.Eta.TotalSeconds:F1} s"));
    }
}
