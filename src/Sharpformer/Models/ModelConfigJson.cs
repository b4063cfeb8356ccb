using System.Text.Json.Serialization;

namespace Sharpformer.Models;

/// <summary>Source-generated JSON of the config files of the models that have no Hugging Face layout (no reflection: ready for Native AOT).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(TranslatorConfig))]
[JsonSerializable(typeof(SequenceClassifierConfig))]
internal sealed partial class ModelConfigJson : JsonSerializerContext;
