using System.CommandLine;
using Sharpformer.Inspection;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer explain`: one forward pass of a GPT or a translator, step by step, with the real numbers —
/// tokens, A, X = A·E, positions, per layer and head Q, K, V, RW, W, Y, the merged heads, the feed-forward
/// neurons and the next tokens. `--json` prints the same with the matrices whole.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model("Checkpoint folder (or a training output folder) of a GPT or a translator");
        var text = new Option<string>("--text") { Description = "The text the GPT reads, or the translator's source sentence", Required = true };
        var target = new Option<string?>("--target") { Description = "Translator only: the target prefix the decoder reads after begin-of-sentence" };
        var layer = new Option<int?>("--layer") { Description = "Show only this layer (from 0)" };
        var head = new Option<int?>("--head") { Description = "Show only this head (from 0)" };
        var top = new Option<int>("--top") { Description = "Next tokens, and tokens each neuron pushes up, to list", DefaultValueFactory = _ => 5 };
        var json = SharedOptions.Json("one JSON object with the full matrices");
        var cmd = new Command("explain", "Walk through one forward pass in matrix notation with the model's own numbers.")
            { model, text, target, layer, head, top, json };
        cmd.SetAction(parse =>
        {
            var loaded = ExplainedModel.Load(parse.GetValue(model)!, "explain");
            var explanation = loaded.Explain(parse.GetValue(text)!, parse.GetValue(target),
                new ExplainOptions(parse.GetValue(layer), parse.GetValue(head), TopTokens: parse.GetValue(top)));
            var io = CommandOutput.Of(parse);
            if (io.Json) io.WriteJson(explanation, CliJson.Default.Explanation);
            else new ExplanationText(io.Result).Write(explanation);
            return 0;
        });
        return cmd;
    }
}
