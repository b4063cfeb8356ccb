using System.Text.Json.Serialization;

namespace Sharpformer.Tokenization;

/// <summary>Source-generated JSON of the tokenizer files written here (no reflection: ready for Native AOT).</summary>
[JsonSerializable(typeof(CharTokenizerFile))]
[JsonSerializable(typeof(Dictionary<string, int>))]
internal sealed partial class TokenizerFileJson : JsonSerializerContext;

/// <summary>The project's character tokenizer file: <c>{"type":"char","version":1,"chars":"…"}</c>.</summary>
internal sealed record CharTokenizerFile(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("chars")] string Chars);
