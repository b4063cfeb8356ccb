using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Sharpformer.Training;

/// <summary>
/// Reads settings from JSON that may name only some of them (a --config file, the options of an older
/// checkpoint): the fields it has, over the defaults of a new instance. Source-generated JSON fills a missing
/// init-only property with default(T) rather than with its initializer, so the defaults are written out first
/// and the given fields laid over them.
/// </summary>
internal static class JsonOverDefaults
{
    public static T Read<T>(string json, JsonTypeInfo<T> type) where T : new()
    {
        var merged = JsonNode.Parse(JsonSerializer.Serialize(new T(), type))!.AsObject();
        if (JsonNode.Parse(json) is not JsonObject given) throw new JsonException($"expected a JSON object, got {json.TrimStart().FirstOrDefault()}…");
        foreach (var (name, value) in given) merged[name] = value?.DeepClone();
        return merged.Deserialize(type)!;
    }
}
