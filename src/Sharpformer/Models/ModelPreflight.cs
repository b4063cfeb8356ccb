using System.Text.Json;
using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// Checks a saved model before it is built: its config against the stated limits (<see cref="ModelLimits"/>),
/// against the header of its weights file (for a GPT-2 folder every tensor the config implies, by name and shape; for
/// the other models the parameter count the config implies must be the count the file holds) and against the
/// machine's memory. Reads the config and the weights header only; allocates no tensor.
/// </summary>
internal static class ModelPreflight
{
    /// <summary>A config.json larger than this is not a config.</summary>
    public const long MaxConfigBytes = 1 << 20;

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming the file and what does not fit. The model kind comes from
    /// the weights' "format" metadata (sharpformer-translator, -classifier), else from the config's fields (model_type
    /// "gpt2" for a GPT-2 folder, whose weights transformers marks "pt").
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
        var (kind, parameters) = (format is "sharpformer-translator" or "sharpformer-classifier" ? format : Infer(json, configPath)) switch
        {
            Gpt2Config.ModelType => ("GPT", Gpt2Parameters(json, configPath, header)),
            "sharpformer-translator" => ("translator", TranslatorConfig.FromJson(json, configPath).ParameterCount()),
            "sharpformer-classifier" => ("classifier", SequenceClassifierConfig.FromJson(json, configPath).ParameterCount()),
            var other => throw new InvalidDataException($"{weightsPath}: unknown model format '{other}'."),
        };
        long held = kind == "GPT" ? parameters : header.TotalElements;
        if (held != parameters)
            throw new InvalidDataException($"{weightsPath}: holds {held:N0} weights in {header.Entries.Count} tensors, but {configPath} describes a {kind} of " +
                $"{parameters:N0} parameters; the config and the weights do not belong together.");
        try { ModelLimits.RequireMemory($"{configPath}: {kind}", parameters, ModelLimits.BytesPerLoadedParameter); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
    }

    /// <summary>
    /// Checks every tensor of the header against the GPT-2 config by name and shape; returns the parameters they hold
    /// (biases included: a GPT-2 file always has them), less the buffers that carry no weights.
    /// </summary>
    private static long Gpt2Parameters(string json, string configPath, SafeTensorsHeader header)
    {
        var config = GptConfig.FromJson(json, configPath);
        Gpt2Weights.CheckHeader(header, config, configPath);
        return header.Entries.Where(e => !Gpt2Weights.IsIgnored(Gpt2Weights.Unprefixed(e.Name))).Sum(e => e.Elements);
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
            if (root.TryGetProperty("model_type", out _)) return Gpt2Config.ModelType;
            if (root.TryGetProperty("block_size", out _))
                throw new InvalidDataException($"{configPath}: a GPT config with nanoGPT's fields (block_size) is not a model folder of this version, " +
                    "which reads GPT-2's config.json (model_type \"gpt2\", n_positions, …); save the model again with this version.");
            throw new InvalidDataException($"{configPath}: neither a GPT-2 (model_type), translator (encoder_layers) nor classifier (n_classes) config.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{configPath}: malformed model config ({e.Message})."); }
    }
}
