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
/// (the peer's setting: 200 new tokens, untrained weights of the preset's shape, vocabulary 65). With
/// <c>--model</c>, a model folder (a Hugging Face GPT-2 folder too) instead, with the KV cache only: at GPT-2's
/// sizes recomputing the whole context for every token takes minutes and says nothing new.
/// </summary>
internal static class GenerateBench
{
    public static Command Create()
    {
        var config = new Option<string[]>("--config") { Description = "Presets to measure", DefaultValueFactory = _ => ["shakespeare-cpu", "shakespeare"] };
        var tokens = new Option<int>("--max-new-tokens") { Description = "New tokens per run (greedy, no stop: always this many)", DefaultValueFactory = _ => 200 };
        var repeats = new Option<int>("--repeats") { Description = "Runs per case (median)", DefaultValueFactory = _ => 3 };
        var model = new Option<string?>("--model") { Description = "A model folder (a Hugging Face GPT-2 folder too) to measure instead of the presets, KV cache only" };
        var cmd = new Command("generate", "Tokens/s of greedy generation with and without the KV cache.") { config, model, tokens, repeats };
        cmd.SetAction(parse =>
        {
            var report = new BenchReport(parse.InvocationConfiguration.Output, parse.GetValue(Commands.BenchCommand.Json));
            void Measure(string name, GptGenerator generator, bool cached)
            {
                var options = new GenerationOptions(parse.GetValue(tokens), UseKvCache: cached);
                var greedy = new SamplingOptions(Temperature: 0);
                void Run() => generator.Generate(" ", options, greedy);
                Stopwatches.WarmUp(Run, minSeconds: 1, minRuns: 1);
                var seconds = Stopwatches.Time(Run, parse.GetValue(repeats), warmups: 0);
                report.Add("generate", $"{name} {(cached ? "kv-cache" : "naive")} threads={Parallelism.ThreadCount}",
                    options.MaxNewTokens / Stopwatches.Median(seconds), "tokens/s");
            }
            if (parse.GetValue(model) is string folder)
            {
                var (gpt, tokenizer) = GptCheckpoint.Load(ModelDirectory.Resolve(folder));
                Measure(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), new GptGenerator(gpt, tokenizer), cached: true);
                return 0;
            }
            foreach (var name in parse.GetValue(config)!)
            {
                var preset = new Gpt(GptPresets.Get(name).Config(65) with { Dropout = 0f, Bias = false }, seed: 1337);
                var generator = new GptGenerator(preset, new CharTokenizer(Enumerable.Range(32, 65)));
                foreach (bool cached in new[] { false, true }) Measure(name, generator, cached);
            }
            return 0;
        });
        return cmd;
    }
}
