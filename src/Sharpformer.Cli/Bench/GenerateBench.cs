using System.CommandLine;
using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Kernels;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `bench generate`: greedy generation from a one-token prompt, batch 1, with and without the KV cache
/// (the peer's setting: 200 new tokens, untrained weights of the preset's shape, vocabulary 65).
/// </summary>
internal static class GenerateBench
{
    public static Command Create()
    {
        var config = new Option<string[]>("--config") { Description = "Presets to measure", DefaultValueFactory = _ => ["shakespeare-cpu", "shakespeare"] };
        var tokens = new Option<int>("--max-new-tokens") { Description = "New tokens per run (greedy, no stop: always this many)", DefaultValueFactory = _ => 200 };
        var repeats = new Option<int>("--repeats") { Description = "Runs per case (median)", DefaultValueFactory = _ => 3 };
        var cmd = new Command("generate", "Tokens/s of greedy generation with and without the KV cache.") { config, tokens, repeats };
        cmd.SetAction(parse =>
        {
            var report = new BenchReport(parse.InvocationConfiguration.Output, parse.GetValue(Commands.BenchCommand.Json));
            foreach (var name in parse.GetValue(config)!)
            {
                var model = new Gpt(GptPresets.Get(name).Config(65) with { Dropout = 0f, Bias = false }, seed: 1337);
                var generator = new GptGenerator(model, new CharTokenizer(Enumerable.Range(32, 65)));
                foreach (bool cached in new[] { false, true })
                {
                    var options = new GenerationOptions(parse.GetValue(tokens), UseKvCache: cached);
                    var greedy = new SamplingOptions(Temperature: 0);
                    void Run() => generator.Generate(" ", options, greedy);
                    Stopwatches.WarmUp(Run, minSeconds: 1, minRuns: 1);
                    var seconds = Stopwatches.Time(Run, parse.GetValue(repeats), warmups: 0);
                    report.Add("generate", $"{name} {(cached ? "kv-cache" : "naive")} threads={Parallelism.ThreadCount}",
                        options.MaxNewTokens / Stopwatches.Median(seconds), "tokens/s");
                }
            }
            return 0;
        });
        return cmd;
    }
}
