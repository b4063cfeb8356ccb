using Sharpformer.Interop.Onnx;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer export --format onnx`: model.onnx (+ model.onnx.data when large), genai_config.json and the tokenizer.</summary>
internal static class OnnxExport
{
    public static int Run(string checkpoint, string outDir)
    {
        var (gpt, tokenizer) = GptCheckpoint.Load(checkpoint);
        var result = GptOnnxExporter.Export(gpt, tokenizer, outDir);
        var c = gpt.Config;
        Console.WriteLine($"wrote {result.ModelPath}{(result.ExternalDataPath != null ? $" (weights in {result.ExternalDataPath})" : "")}: " +
            $"{c.Layers} layers, {c.Heads} heads of {c.HeadSize}, {gpt.ParameterCount():N0} parameters, opset {GptOnnxExporter.Opset}");
        return 0;
    }
}
