using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sharpformer.Tokenization;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer tokenizer stats --tokenizer PATH --input FILE`: how well a tokenizer compresses a text.</summary>
internal static class TokenizerStatsCommand
{
    public static Command Create()
    {
        var tokenizerPath = TokenizerCommand.TokenizerOption();
        var input = new Option<string>("--input") { Description = "Text file (UTF-8) to measure", Required = true };
        var command = new Command("stats", "Tokens per word and bytes per token of a tokenizer on a file.");
        command.Options.Add(tokenizerPath);
        command.Options.Add(input);
        command.SetAction(parse =>
        {
            var tokenizer = BpeTokenizer.Load(parse.GetValue(tokenizerPath)!);
            var text = TokenizerCommand.ReadAll(parse.GetValue(input));
            var clock = Stopwatch.StartNew();
            var ids = tokenizer.Encode(text);
            double seconds = clock.Elapsed.TotalSeconds;
            long bytes = Encoding.UTF8.GetByteCount(text);
            int words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            int distinct = ids.Distinct().Count();
            var o = parse.InvocationConfiguration.Output;
            var c = CultureInfo.InvariantCulture;
            o.WriteLine(string.Create(c, $"tokenizer        {tokenizer.Name} (vocab {tokenizer.VocabSize})"));
            o.WriteLine(string.Create(c, $"bytes            {bytes:N0}"));
            o.WriteLine(string.Create(c, $"characters       {text.Length:N0}"));
            o.WriteLine(string.Create(c, $"words            {words:N0} (separated by white space)"));
            o.WriteLine(string.Create(c, $"tokens           {ids.Length:N0} ({distinct:N0} distinct ids used)"));
            o.WriteLine(string.Create(c, $"tokens per word  {(words == 0 ? 0 : (double)ids.Length / words):F3}"));
            o.WriteLine(string.Create(c, $"bytes per token  {(ids.Length == 0 ? 0 : (double)bytes / ids.Length):F3}"));
            o.WriteLine(string.Create(c, $"encode           {seconds:F3} s ({bytes / 1e6 / Math.Max(seconds, 1e-9):F1} MB/s, first pass with a cold cache)"));
            return 0;
        });
        return command;
    }
}
