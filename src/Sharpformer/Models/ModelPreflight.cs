using System.Text.Json;
using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// Checks a saved model before it is built: its config.json against the stated limits (<see cref="ModelLimits"/>),
/// against the header of its weights file (the parameter count the config implies must be the count the file
/// holds) and against the machine's memory. Reads the config and the weights header only; allocates no tensor.
/// </summary>
internal static class ModelPreflight
{
    /// <summary>A config.json larger than this is not a config.</summary>
    public const long MaxConfigBytes = 1 << 20;

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming the file and what does not fit. The model kind comes from
    /// the weights' "format" metadata (sharpformer-gpt, -translator, -classifier), else from the config's fields.
    /// </summary>
    public static void Check(string configPath, string weightsPath)
    {
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: model config not found.", configPath);
        long length = new FileInfo(configPath).Length;
        if (length > MaxConfigBytes)
            throw new InvalidDataException($"{configPath}: {length:N0} bytes is over the {MaxConfigBytes:N0}-byte limit for a model config.");
        string json = Data.TextFiles.ReadAllText(configPath);
        var header = SafeTensorsHeader.Read(weightsPath);
        header.Metadata.TryGetValue("format", out var format);
        var (kind, parameters) = (format ?? Infer(json, configPath)) switch
        {
            "sharpformer-gpt" => ("GPT", GptConfig.FromJson(json, configPath).ParameterCount()),
            "sharpformer-translator" => ("translator", TranslatorConfig.FromJson(json, configPath).ParameterCount()),
            "sharpformer-classifier" => ("classifier", SequenceClassifierConfig.FromJson(json, configPath).ParameterCount()),
            var other => throw new InvalidDataException($"{weightsPath}: unknown model format '{other}' (expected sharpformer-gpt, sharpformer-translator or sharpformer-classifier)."),
        };
        long held = header.TotalElements;
        if (held != parameters)
            throw new InvalidDataException($"{weightsPath}: holds {held:N0} weights in {header.Entries.Count} tensors, but {configPath} describes a {kind} of " +
                $"{parameters:N0} parameters; the config and the weights do not belong together.");
        try { ModelLimits.RequireMemory($"{configPath}: {kind}", parameters, ModelLimits.BytesPerLoadedParameter); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
    }

    private static string Infer(string json, string configPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{configPath}: a model config must be a JSON object.");
            var root = doc.RootElement;
            if (root.TryGetProperty("encoder_layers", out _)) return "sharpformer-translator";
            if (root.TryGetProperty("n_classes", out _)) return "sharpformer-classifier";
            if (root.TryGetProperty("block_size", out _)) return "sharpformer-gpt";
            throw new InvalidDataException($"{configPath}: neither a GPT (block_size), translator (encoder_layers) nor classifier (n_classes) config.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{configPath}: malformed model config ({e.Message})."); }
    }
}
