using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sharpformer.Tokenization;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer tokenizer stats --tokenizer PATH --input FILE`: how well a tokenizer compresses a text.</summary>
internal static class TokenizerStatsCommand
{
    /// <summary>What `tokenizer stats --json` prints.</summary>
    internal sealed record Result(string Tokenizer, int VocabSize, long Bytes, int Characters, int Words, int Tokens, int DistinctTokens,
        double TokensPerWord, double BytesPerToken, double EncodeSeconds);

    public static Command Create()
    {
        var tokenizerPath = TokenizerCommand.TokenizerOption();
        var input = new Option<string>("--input") { Description = "Text file (UTF-8) to measure", Required = true };
        var json = SharedOptions.Json();
        var command = new Command("stats", "Tokens per word and bytes per token of a tokenizer on a file.");
        command.Options.Add(tokenizerPath);
        command.Options.Add(input);
        command.Options.Add(json);
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
            double perWord = words == 0 ? 0 : (double)ids.Length / words, perToken = ids.Length == 0 ? 0 : (double)bytes / ids.Length;
            var io = CommandOutput.Of(parse);
            if (io.Json)
            {
                io.WriteJson(new Result(tokenizer.Name, tokenizer.VocabSize, bytes, text.Length, words, ids.Length, distinct, Math.Round(perWord, 4), Math.Round(perToken, 4),
                    Math.Round(seconds, 4)), CliJson.Default.TokenizerStatsResult);
                return 0;
            }
            var o = io.Result;
            var c = CultureInfo.InvariantCulture;
            o.WriteLine(string.Create(c, $"tokenizer        {tokenizer.Name} (vocab {tokenizer.VocabSize})"));
            o.WriteLine(string.Create(c, $"bytes            {bytes:N0}"));
            o.WriteLine(string.Create(c, $"characters       {text.Length:N0}"));
            o.WriteLine(string.Create(c, $"words            {words:N0} (separated by white space)"));
            o.WriteLine(string.Create(c, $"tokens           {ids.Length:N0} ({distinct:N0} distinct ids used)"));
            o.WriteLine(string.Create(c, $"tokens per word  {perWord:F3}"));
            o.WriteLine(string.Create(c, $"bytes per token  {perToken:F3}"));
            o.WriteLine(string.Create(c, $"encode           {seconds:F3} s ({bytes / 1e6 / Math.Max(seconds, 1e-9):F1} MB/s, first pass with a cold cache)"));
            return 0;
        });
        return command;
    }
}
