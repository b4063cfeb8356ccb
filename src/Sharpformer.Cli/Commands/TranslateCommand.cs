using System.CommandLine;
using Sharpformer.Generation;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer translate`: each input line becomes one output line, in order.</summary>
internal static class TranslateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder (or a training output folder)", Required = true };
        var allowNonFinite = ModelDirectory.AllowNonFiniteOption();
        var beam = new Option<int>("--beam") { Description = "Beam size (1 = greedy)", DefaultValueFactory = _ => 4 };
        var alpha = new Option<float>("--length-penalty") { Description = "GNMT length penalty α", DefaultValueFactory = _ => 0.6f };
        var input = new Option<string?>("--input") { Description = "Read sentences from this file instead of stdin" };
        var batch = new Option<int>("--batch") { Description = "Sentences decoded together", DefaultValueFactory = _ => 64 };
        var cmd = new Command("translate", "Translate sentences, one per line, with a trained translator.") { model, beam, alpha, input, batch, allowNonFinite };
        cmd.SetAction(parse =>
        {
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var (translator, source, target) = TranslatorCheckpoint.Load(dir, parse.GetValue(allowNonFinite));
            var path = parse.GetValue(input);
            if (path != null && !File.Exists(path)) throw new FileNotFoundException($"--input {path}: file not found.", path);
            IReadOnlyList<string> lines = path != null ? Sharpformer.Data.TextFiles.ReadLines(path).Select(l => l.Line).ToList() : ReadAll(Console.In);
            var options = new BeamSearchOptions(parse.GetValue(beam), parse.GetValue(alpha));
            var outputs = TranslationTrainer.Translate(translator, source, target, lines, options, parse.GetValue(batch));
            foreach (var line in outputs) Console.Out.WriteLine(line);
            return 0;
        });
        return cmd;
    }

    private static List<string> ReadAll(TextReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is string line) lines.Add(line);
        return lines;
    }
}
