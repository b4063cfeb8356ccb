using Sharpformer.Training;
using System.CommandLine;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer export`: writes a trained GPT in another framework's format, chosen by --format.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var format = new Option<string>("--format") { Description = "onnx: an ONNX Runtime (GenAI) decoder with a KV cache", Required = true };
        var output = SharedOptions.Out("Folder to write (replaced whole)");
        var json = SharedOptions.Json();
        var cmd = new Command("export", "Export a GPT for another runtime.") { model, format, output, json };
        cmd.SetAction(parse =>
        {
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var outDir = parse.GetValue(output)!;
            return parse.GetValue(format) switch
            {
                "onnx" => OnnxExport.Run(dir, outDir, CommandOutput.Of(parse)),
                var other => throw new ArgumentException($"--format {other}: expected onnx."),
            };
        });
        return cmd;
    }
}
