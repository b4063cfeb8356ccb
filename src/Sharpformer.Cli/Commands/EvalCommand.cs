using System.CommandLine;
using System.Globalization;
using Sharpformer.Evaluation;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer eval`: loss and perplexity of a GPT over a whole split of a text file.</summary>
internal static class EvalCommand
{
    /// <summary>What `eval --json` prints.</summary>
    internal sealed record Result(string Split, double Loss, double Perplexity, long Tokens);

    public static Command Create()
    {
        var model = SharedOptions.Model();
        var allowNonFinite = SharedOptions.AllowNonFinite();
        var data = SharedOptions.Data("The text file the model was trained on");
        var split = new Option<string>("--split") { Description = "train or val (the model's own split of the file)", DefaultValueFactory = _ => "val" };
        split.AcceptOnlyFromAmong("train", "val");
        var json = SharedOptions.Json();
        var cmd = new Command("eval", "Loss and perplexity of a GPT on its train or validation split.") { model, data, split, json, allowNonFinite };
        cmd.SetAction(parse =>
        {
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var (gpt, tokenizer) = GptCheckpoint.Load(dir, parse.GetValue(allowNonFinite));
            var options = ModelDirectory.TrainingOptions(dir);
            var batches = new TokenBatches(tokenizer.Encode(CorpusTokens.ReadText(parse.GetValue(data)!)), options.TrainFraction, gpt.Config.BlockSize);
            var name = parse.GetValue(split)!;
            var result = LanguageModelLoss.Of(gpt, batches.Split(name));
            var io = CommandOutput.Of(parse);
            if (io.Json)
                io.WriteJson(new Result(name, Math.Round(result.Loss, 5), Math.Round(result.Perplexity, 4), result.Tokens), CliJson.Default.EvalResult);
            else
                io.Result.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: loss {result.Loss:F4}, perplexity {result.Perplexity:F3} over {result.Tokens:N0} tokens"));
            return 0;
        });
        return cmd;
    }
}
