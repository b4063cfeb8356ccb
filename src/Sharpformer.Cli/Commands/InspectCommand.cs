using System.CommandLine;
using Sharpformer.Inspection;
using Sharpformer.Tensors;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer inspect`: one self-contained HTML report of a forward pass — heat maps of every attention head,
/// cross-attention for a translator, entropy per head, the logit lens, one head's matrices and the run's loss curves.
/// </summary>
internal static class InspectCommand
{
    /// <summary>What `inspect --json` prints: the page written, its attention maps and the loss log it drew (null: none).</summary>
    internal sealed record Result(string Out, int AttentionMaps, string? LossLog);

    public static Command Create()
    {
        var model = SharedOptions.Model("Checkpoint folder (or a training output folder) of a GPT or a translator");
        var text = new Option<string>("--text") { Description = "The text the GPT reads, or the translator's source sentence", Required = true };
        var target = new Option<string?>("--target") { Description = "Translator only: the target prefix the decoder reads after begin-of-sentence" };
        var output = SharedOptions.Out("The HTML file to write");
        var layer = new Option<int>("--layer") { Description = "The layer whose head's matrices are shown in full", DefaultValueFactory = _ => 0 };
        var head = new Option<int>("--head") { Description = "The head whose matrices are shown in full", DefaultValueFactory = _ => 0 };
        var json = SharedOptions.Json();
        var cmd = new Command("inspect", "Write an HTML report of one forward pass: attention maps, entropy, logit lens, loss curves.")
            { model, text, target, output, layer, head, json };
        cmd.SetAction(parse =>
        {
            var dir = parse.GetValue(model)!;
            var loaded = ExplainedModel.Load(dir, "inspect");
            int l = parse.GetValue(layer), h = parse.GetValue(head);
            if (l < 0 || l >= loaded.Layers)
                throw new ArgumentException($"--layer: layer {l} is out of range: the model's last stack has {loaded.Layers} layers (0–{loaded.Layers - 1}).");
            if (h < 0 || h >= loaded.Heads)
                throw new ArgumentException($"--head: head {h} is out of range: the model has {loaded.Heads} heads (0–{loaded.Heads - 1}).");
            var explanation = loaded.Explain(parse.GetValue(text)!, parse.GetValue(target), new ExplainOptions(TopNeurons: 0));
            var stack = explanation.Stacks[^1];
            var log = LossLog.Find(loaded.Checkpoint);
            var html = InspectionPage.Html(explanation, new InspectionPage.ChosenHead(stack.Name, l, h),
                log != null ? LossLog.Read(log) : [], Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/')));
            var path = parse.GetValue(output)!;
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--out {path}: the folder {folder} does not exist.");
            AtomicFile.WriteAllText(path, html);
            int maps = explanation.Stacks.Sum(s => s.Layers.Sum(x => x.Attention.Sum(a => a.Heads.Length)));
            var io = CommandOutput.Of(parse);
            if (io.Json) io.WriteJson(new Result(Path.GetFullPath(path), maps, log), CliJson.Default.InspectResult);
            else io.Result.WriteLine($"wrote {path}: {maps} attention maps" + (log != null ? $", loss curves from {log}" : ", no log.jsonl beside the model"));
            return 0;
        });
        return cmd;
    }
}
