using System.CommandLine;
using Sharpformer.Data;
using Sharpformer.Data.EnRu;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer corpus builtin --out DIR`: writes the built-in English→Russian corpus as train/valid/test TSV.</summary>
internal static class CorpusCommand
{
    public static Command Create()
    {
        var corpus = new Command("corpus", "Generate parallel corpora.");
        corpus.Subcommands.Add(CreateBuiltin());
        return corpus;
    }

    private static Command CreateBuiltin()
    {
        var defaults = new EnRuCorpusOptions();
        var outDir = new Option<string>("--out") { Description = "Folder for train.tsv, valid.tsv and test.tsv", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the generator", DefaultValueFactory = _ => defaults.Seed };
        var count = new Option<int>("--count") { Description = "Training pairs", DefaultValueFactory = _ => defaults.TrainCount };
        var heldOut = new Option<int>("--held-out") { Description = "Pairs in each of valid.tsv and test.tsv (unseen word combinations)", DefaultValueFactory = _ => defaults.ValidCount };
        var command = new Command("builtin", "English→Russian sentences (\"Petya hit Vasya with a shovel.\" → \"Петя ударил Васю лопатой.\") with held-out word combinations; see docs/builtin-corpus.md.");
        command.Options.Add(outDir);
        command.Options.Add(seed);
        command.Options.Add(count);
        command.Options.Add(heldOut);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count), h = parse.GetValue(heldOut);
            if (n < 1) throw new ArgumentException($"--count must be at least 1, got {n}.");
            if (h < 1) throw new ArgumentException($"--held-out must be at least 1, got {h}.");
            var options = defaults with { Seed = parse.GetValue(seed), TrainCount = n, ValidCount = h, TestCount = h };
            var generated = EnRuCorpusGenerator.Generate(options);
            string dir = parse.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var output = parse.InvocationConfiguration.Output;
            foreach (var (name, pairs) in new[] { ("train.tsv", generated.Train), ("valid.tsv", generated.Valid), ("test.tsv", generated.Test) })
            {
                var path = Path.Combine(dir, name);
                ParallelCorpus.WriteTsv(path, pairs);
                output.WriteLine($"{path}: {pairs.Count} pairs");
            }
            return 0;
        });
        return command;
    }
}
