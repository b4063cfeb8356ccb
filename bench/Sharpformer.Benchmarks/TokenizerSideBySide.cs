using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;
using Sharpformer.Tokenization;
using BpeTokenizer = Sharpformer.Tokenization.BpeTokenizer;
using PreTokenizer = Sharpformer.Tokenization.PreTokenizer;

namespace Sharpformer.Benchmarks;

/// <summary>
/// GPT-2 encode throughput of Sharpformer's BpeTokenizer and Microsoft.ML.Tokenizers' TiktokenTokenizer
/// on the same text in the same process, runs interleaved, medians compared. Both start with a warm
/// cache (each encodes the text once before timing) and must agree on every id.
/// Usage: tokenizer [--repeats N] [--file PATH]
/// </summary>
internal static class TokenizerSideBySide
{
    public static int Run(string[] args, TextWriter output)
    {
        int repeats = 15;
        string path = BenchData.File("tinyshakespeare", "input.txt");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--repeats") repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--file") path = args[i + 1];
            else throw new ArgumentException($"Unknown option {args[i]} (expected --repeats N or --file PATH).");
        }

        var text = File.ReadAllText(path);
        double megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;
        var ours = BpeTokenizer.Load(BenchData.File("gpt2-bpe"));
        var theirs = TiktokenTokenizer.CreateForModel("gpt2");

        var ourIds = ours.Encode(text);
        var theirIds = theirs.EncodeToIds(text);
        if (!ourIds.SequenceEqual(theirIds)) throw new InvalidOperationException("The two tokenizers disagree on the ids: the comparison would be meaningless.");

        var ourTimes = new List<double>();
        var theirTimes = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            // Interleaved so that noise from other processes hits both alike.
            ourTimes.Add(Time(() => ours.Encode(text)));
            theirTimes.Add(Time(() => theirs.EncodeToIds(text)));
        }
        double ourRate = megabytes / Median(ourTimes), theirRate = megabytes / Median(theirTimes);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text: {path} ({megabytes:F3} MB, {ourIds.Length:N0} GPT-2 tokens, ids identical)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sharpformer BpeTokenizer            {ourRate,8:F1} MB/s  (median of {repeats})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Microsoft.ML.Tokenizers Tiktoken    {theirRate,8:F1} MB/s  (median of {repeats})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio Sharpformer / ML.Tokenizers   {ourRate / theirRate,8:F2}x"));
        return 0;
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
