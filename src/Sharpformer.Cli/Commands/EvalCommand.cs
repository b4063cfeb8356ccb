using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sharpformer.Evaluation;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer eval`: loss and perplexity of a GPT over a whole split of a text file.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Checkpoint folder (or a training output folder)", Required = true };
        var allowNonFinite = ModelOptions.AllowNonFinite();
        var data = new Option<string>("--data") { Description = "The text file the model was trained on", Required = true };
        var split = new Option<string>("--split") { Description = "train or val (the model's own split of the file)", DefaultValueFactory = _ => "val" };
        split.AcceptOnlyFromAmong("train", "val");
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("eval", "Loss and perplexity of a GPT on its train or validation split.") { model, data, split, json, allowNonFinite };
        cmd.SetAction(parse =>
        {
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var (gpt, tokenizer) = GptCheckpoint.Load(dir, parse.GetValue(allowNonFinite));
            var options = ModelDirectory.TrainingOptions(dir);
            var batches = new TokenBatches(tokenizer.Encode(CorpusTokens.ReadText(parse.GetValue(data)!)), options.TrainFraction, gpt.Config.BlockSize);
            var name = parse.GetValue(split)!;
            var result = LanguageModelLoss.Of(gpt, batches.Split(name));
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { split = name, loss = Math.Round(result.Loss, 5), perplexity = Math.Round(result.Perplexity, 4), tokens = result.Tokens }));
            else
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: loss {result.Loss:F4}, perplexity {result.Perplexity:F3} over {result.Tokens:N0} tokens"));
            return 0;
        });
        return cmd;
    }
}
