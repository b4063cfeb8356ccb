using System.CommandLine;
using System.Text;
using Sharpformer.Data;
using Sharpformer.Generation;
using Sharpformer.Tensors;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer translate`: each input line (standard input or --input, strict UTF-8) becomes one output line, in
/// order (standard output or --out, written atomically); a blank line stays blank. Sentences are decoded --batch-size
/// at a time, grouped by length; a progress bar with sentences/s goes to standard error when it is a terminal and
/// the input is longer than one batch, or when --progress asks for it, never with --quiet.
/// </summary>
internal static class TranslateCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var allowNonFinite = SharedOptions.AllowNonFinite();
        var beam = new Option<int>("--beam") { Description = "Beam size (1 = greedy)", DefaultValueFactory = _ => 4 };
        var alpha = new Option<float>("--length-penalty") { Description = "GNMT length penalty α", DefaultValueFactory = _ => 0.6f };
        var input = SharedOptions.Input("Read sentences, one per line, from this file instead of stdin");
        var output = SharedOptions.OptionalOut("Write the translations to this file (replaced whole once all are done) instead of stdout");
        var batch = SharedOptions.BatchSize("Sentences decoded together", 64);
        var progress = new Option<bool>("--progress") { Description = "Show the progress bar on stderr even when it is not a terminal or the input is short" };
        var quiet = SharedOptions.Quiet();
        var cmd = new Command("translate", "Translate sentences, one per line, with a trained translator.") { model, beam, alpha, input, output, batch, progress, quiet, allowNonFinite };
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(batch) < 1) throw new ArgumentException($"--batch-size must be at least 1, got {parse.GetValue(batch)}.");
            var io = CommandOutput.Of(parse);
            if (io.Quiet && parse.GetValue(progress)) throw new ArgumentException("--progress and --quiet exclude each other.");
            var path = parse.GetValue(input);
            var (lines, source) = path == null
                ? (TextFiles.ReadAllLines(Console.OpenStandardInput(), "standard input"), "standard input")
                : ReadFile(path);
            if (lines.All(string.IsNullOrWhiteSpace))
                throw new InvalidDataException($"{source}: no sentences to translate (expected one sentence per line, got {(lines.Count == 0 ? "an empty input" : "only blank lines")}).");
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var (translator, sourceVocab, targetVocab) = TranslatorCheckpoint.Load(dir, parse.GetValue(allowNonFinite));
            var options = new BeamSearchOptions(parse.GetValue(beam), parse.GetValue(alpha)).Validated();

            var sentences = Enumerable.Range(0, lines.Count).Where(i => !string.IsNullOrWhiteSpace(lines[i])).ToArray();
            bool live = io.ProgressIsLive && sentences.Length > parse.GetValue(batch);
            var bar = live || parse.GetValue(progress) ? new TranslationProgressBar(io.Progress, sentences.Length, io.ProgressIsLive) : null;
            var translated = TranslationTrainer.Translate(translator, sourceVocab, targetVocab, sentences.Select(i => lines[i]).ToList(),
                options, parse.GetValue(batch), bar == null ? null : bar.Report);
            bar?.Finish(sentences.Length);

            var outputs = new string[lines.Count];
            Array.Fill(outputs, "");
            for (int j = 0; j < sentences.Length; j++) outputs[sentences[j]] = translated[j];
            if (parse.GetValue(output) is string outPath)
                AtomicFile.Write(outPath, stream =>
                {
                    using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\n" };
                    foreach (var line in outputs) writer.WriteLine(line);
                });
            else
            {
                foreach (var line in outputs) io.Result.WriteLine(line);
                io.Result.Flush();
            }
            return 0;
        });
        return cmd;
    }

    private static (List<string> Lines, string Source) ReadFile(string path)
    {
        string source = $"--input {path}";
        if (!File.Exists(path)) throw new FileNotFoundException($"{source}: file not found.", path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return (TextFiles.ReadAllLines(stream, source), source);
    }
}
