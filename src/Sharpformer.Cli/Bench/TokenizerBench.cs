using System.CommandLine;
using System.Text;
using Sharpformer.Cli.Commands;
using Sharpformer.Tokenization;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `sharpformer bench tokenizer [--json] [--data DIR]`: BPE training time on tinyshakespeare (vocab 4096
/// and 16384) and GPT-2 encode throughput on 1 and 2 threads. The comparison with Microsoft.ML.Tokenizers
/// lives in bench/Sharpformer.Benchmarks so that the library never references it.
/// </summary>
internal static class TokenizerBench
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Shared data folder (default: SHARPFORMER_DATA or ../shared/data beside the repository)" };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per case (the median is reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("tokenizer", "BPE training seconds on tinyshakespeare (vocab 4096, 16384) and GPT-2 encode MB/s on 1 and 2 threads.");
        command.Options.Add(data);
        command.Options.Add(repeats);
        command.SetAction(parse =>
        {
            var report = new BenchReport(parse.InvocationConfiguration.Output, parse.GetValue(BenchCommand.Json));
            var root = SharedData.Locate(parse.GetValue(data));
            Run(report, root, Math.Max(1, parse.GetValue(repeats)));
            return 0;
        });
        return command;
    }

    private static void Run(BenchReport report, string dataRoot, int repeats)
    {
        var corpus = SharedData.File(dataRoot, "tinyshakespeare", "input.txt");
        long corpusBytes = new FileInfo(corpus).Length;
        foreach (int vocab in new[] { 4096, 16384 })
        {
            int merges = 0;
            var seconds = Stopwatches.Time(() =>
            {
                var tokenizer = BpeTrainer.TrainOnFiles([corpus], new BpeTrainerOptions(vocab) { SpecialTokens = ["<|endoftext|>"] });
                merges = tokenizer.MergeCount;
            }, repeats, warmups: 2); // two warm-ups: the first runs would measure the JIT's tiers, not the algorithm
            double median = Stopwatches.Median(seconds);
            report.Add("tokenizer", $"train tinyshakespeare vocab={vocab}", median, "s",
                new Dictionary<string, object> { ["merges"] = merges, ["merges_per_s"] = merges / median, ["corpus_bytes"] = corpusBytes });
        }

        var gpt2 = BpeTokenizer.Load(SharedData.File(dataRoot, "gpt2-bpe", "encoder.json"));
        var text = File.ReadAllText(corpus);
        var halves = SplitAtLine(text);
        double megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;
        int tokens = gpt2.Encode(text).Length; // also fills the cache: the figures below are warm
        // Each thread appends into its own reused list, as a data loader would: no large array per call.
        var outputs = new[] { new List<int>(tokens), new List<int>(tokens) };
        foreach (int threads in new[] { 1, 2 })
        {
            var seconds = Stopwatches.Time(() =>
            {
                if (threads == 1) EncodeInto(gpt2, text, outputs[0]);
                else Parallel.For(0, halves.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => EncodeInto(gpt2, halves[i], outputs[i]));
            }, repeats);
            report.Add("tokenizer", $"gpt2 encode tinyshakespeare threads={threads}", megabytes / Stopwatches.Median(seconds), "MB/s",
                new Dictionary<string, object> { ["tokens"] = tokens, ["mb"] = megabytes });
        }
        report.Note("Encode figures are with a warm piece cache; `dotnet run -c Release --project bench/Sharpformer.Benchmarks -- tokenizer` compares them with Microsoft.ML.Tokenizers.");
    }

    private static void EncodeInto(BpeTokenizer tokenizer, string text, List<int> ids)
    {
        ids.Clear();
        tokenizer.Encode(text, ids);
    }

    /// <summary>Two halves cut after a line break near the middle (a piece boundary of GPT-2's pattern).</summary>
    private static string[] SplitAtLine(string text)
    {
        int cut = text.IndexOf('\n', text.Length / 2);
        return cut < 0 ? [text] : [text[..(cut + 1)], text[(cut + 1)..]];
    }
}

/// <summary>Finds the shared read-only data folder for benchmarks.</summary>
internal static class SharedData
{
    public static string Locate(string? explicitPath)
    {
        foreach (var candidate in Candidates(explicitPath))
            if (Directory.Exists(candidate)) return candidate;
        throw new DirectoryNotFoundException("Shared data folder not found: pass --data DIR or set SHARPFORMER_DATA (expected ../shared/data beside the repository).");
    }

    public static string File(string root, params string[] parts)
    {
        var path = Path.Combine([root, .. parts]);
        return System.IO.File.Exists(path) ? path : throw new FileNotFoundException($"Benchmark data not found: {path}", path);
    }

    private static IEnumerable<string> Candidates(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath)) { yield return explicitPath; yield break; }
        if (Environment.GetEnvironmentVariable("SHARPFORMER_DATA") is { Length: > 0 } env) yield return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "Sharpformer.slnx")))
                    yield return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
    }
}
