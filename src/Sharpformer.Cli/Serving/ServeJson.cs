using System.Text.Json.Serialization;

namespace Sharpformer.Cli.Serving;

/// <summary>Source-generated serialization of the protocol's types (no reflection: ready for trimming and Native AOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(Completion))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatChunk))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(Health))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class ServeJson : JsonSerializerContext;
