using System.CommandLine;
using Sharpformer.Generation;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer generate`: samples text from a trained GPT, streaming it to stdout.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var allowNonFinite = SharedOptions.AllowNonFinite();
        var prompt = new Option<string>("--prompt") { Description = "Text to continue", DefaultValueFactory = _ => "\n" };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens to generate at most", DefaultValueFactory = _ => 500 };
        var temperature = new Option<float>("--temperature") { Description = "Softmax temperature; 0 = greedy", DefaultValueFactory = _ => 0.8f };
        var topK = new Option<int?>("--top-k") { Description = "Keep only the k most likely tokens", DefaultValueFactory = _ => 200 };
        var topP = new Option<float?>("--top-p") { Description = "Keep the smallest set of tokens with this much probability" };
        var seed = SharedOptions.Seed("Sampling seed", 1337);
        var stop = new Option<string[]>("--stop") { Description = "Stop when this text appears (repeatable)", AllowMultipleArgumentsPerToken = false };
        var noCache = new Option<bool>("--no-kv-cache") { Description = "Recompute the whole context for every token" };
        var cmd = new Command("generate", "Generate text with a trained GPT.") { model, prompt, maxNew, temperature, topK, topP, seed, stop, noCache, allowNonFinite };
        cmd.SetAction(parse =>
        {
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var (gpt, tokenizer) = GptCheckpoint.Load(dir, parse.GetValue(allowNonFinite));
            var generator = new GptGenerator(gpt, tokenizer);
            var sampling = new SamplingOptions(parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(topP), parse.GetValue(seed));
            var options = new GenerationOptions(parse.GetValue(maxNew), parse.GetValue(stop), !parse.GetValue(noCache));
            var stdout = parse.InvocationConfiguration.Output;
            generator.Generate(parse.GetValue(prompt)!, options, sampling, text => { stdout.Write(text); stdout.Flush(); });
            stdout.WriteLine();
            return 0;
        });
        return cmd;
    }
}
