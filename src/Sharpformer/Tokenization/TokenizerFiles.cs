using System.Text.Json;

namespace Sharpformer.Tokenization;

/// <summary>Saves and loads any of the project's tokenizers by the "type" field of its JSON file.</summary>
public static class TokenizerFiles
{
    public static void Save(ITokenizer tokenizer, string path)
    {
        switch (tokenizer)
        {
            case CharTokenizer c: Tensors.AtomicFile.WriteAllText(path, c.ToJson()); break;
            default: throw new ArgumentException($"Tokenizer '{tokenizer.Name}' ({tokenizer.GetType().Name}) cannot be saved.");
        }
    }

    public static ITokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tokenizer file not found.", path);
        string json = File.ReadAllText(path);
        string? type;
        try
        {
            using var doc = JsonDocument.Parse(json);
            type = doc.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: tokenizer file is not valid JSON ({e.Message})."); }
        return type switch
        {
            "char" => CharTokenizer.FromJson(json, path),
            _ => throw new InvalidDataException($"{path}: unknown tokenizer type '{type}'."),
        };
    }
}
