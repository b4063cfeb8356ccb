using Sharpformer.Interop.Onnx;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer export --format onnx`: model.onnx (+ model.onnx.data when large), genai_config.json and the tokenizer.</summary>
internal static class OnnxExport
{
    /// <summary>What `export --format onnx --json` prints.</summary>
    internal sealed record Result(string Model, string? ExternalData, int Layers, int Heads, int HeadSize, long Parameters, int Opset);

    public static int Run(string checkpoint, string outDir, CommandOutput io)
    {
        var (gpt, tokenizer) = GptCheckpoint.Load(checkpoint);
        var result = GptOnnxExporter.Export(gpt, tokenizer, outDir);
        var c = gpt.Config;
        if (io.Json)
            io.WriteJson(new Result(result.ModelPath, result.ExternalDataPath, c.Layers, c.Heads, c.HeadSize, gpt.ParameterCount(), GptOnnxExporter.Opset), CliJson.Default.ExportResult);
        else
            io.Result.WriteLine($"wrote {result.ModelPath}{(result.ExternalDataPath != null ? $" (weights in {result.ExternalDataPath})" : "")}: " +
                $"{c.Layers} layers, {c.Heads} heads of {c.HeadSize}, {gpt.ParameterCount():N0} parameters, opset {GptOnnxExporter.Opset}");
        return 0;
    }
}
