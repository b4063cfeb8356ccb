using System.CommandLine;
using Sharpformer.Data;
using Sharpformer.Data.EnRu;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer corpus builtin --out DIR`: writes the built-in English→Russian corpus as train/valid/test TSV.</summary>
internal static class CorpusCommand
{
    /// <summary>What `corpus builtin --json` prints: the files written and the pairs in each.</summary>
    internal sealed record Result(IReadOnlyList<WrittenFile> Files);

    public static Command Create()
    {
        var corpus = new Command("corpus", "Generate parallel corpora.");
        corpus.Subcommands.Add(CreateBuiltin());
        return corpus;
    }

    private static Command CreateBuiltin()
    {
        var defaults = new EnRuCorpusOptions();
        var outDir = SharedOptions.Out("Folder for train.tsv, valid.tsv and test.tsv");
        var seed = SharedOptions.Seed("Seed of the generator", defaults.Seed);
        var count = new Option<int>("--count") { Description = "Training pairs", DefaultValueFactory = _ => defaults.TrainCount };
        var heldOut = new Option<int>("--held-out") { Description = "Pairs in each of valid.tsv and test.tsv (unseen word combinations)", DefaultValueFactory = _ => defaults.ValidCount };
        var command = new Command("builtin", "English→Russian sentences (\"Petya hit Vasya with a shovel.\" → \"Петя ударил Васю лопатой.\") with held-out word combinations; see docs/builtin-corpus.md.");
        command.Options.Add(outDir);
        command.Options.Add(seed);
        command.Options.Add(count);
        command.Options.Add(heldOut);
        var json = SharedOptions.Json();
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count), h = parse.GetValue(heldOut);
            if (n < 1) throw new ArgumentException($"--count must be at least 1, got {n}.");
            if (h < 1) throw new ArgumentException($"--held-out must be at least 1, got {h}.");
            var options = defaults with { Seed = parse.GetValue(seed), TrainCount = n, ValidCount = h, TestCount = h };
            var generated = EnRuCorpusGenerator.Generate(options);
            string dir = parse.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var io = CommandOutput.Of(parse);
            var written = new List<WrittenFile>();
            foreach (var (name, pairs) in new[] { ("train.tsv", generated.Train), ("valid.tsv", generated.Valid), ("test.tsv", generated.Test) })
            {
                var path = Path.Combine(dir, name);
                ParallelCorpus.WriteTsv(path, pairs);
                written.Add(new WrittenFile(Path.GetFullPath(path), pairs.Count));
                if (!io.Json) io.Result.WriteLine($"{path}: {pairs.Count} pairs");
            }
            if (io.Json) io.WriteJson(new Result(written), CliJson.Default.CorpusResult);
            return 0;
        });
        return command;
    }
}
