using System.Text.Json;

namespace Sharpformer.Tokenization;

/// <summary>
/// The tokenizer JSON files: Hugging Face tokenizers' tokenizer.json (<see cref="HuggingFaceTokenizerFormat"/>, what
/// <see cref="BpeTokenizer.Save"/> writes), or the project's earlier format, still read (docs/tokenizer.md):
/// <code>
/// { "format": "sharpformer-bpe", "version": 1, "name": "bpe-4096", "pattern": "…regex…",
///   "vocab": { "!": 0, …, "Ġt": 256, … },        // token (GPT-2 byte alphabet) -> id
///   "merges": [ "Ġ t", "h e", … ],               // in rank order: left and right token, one space
///   "special_tokens": { "&lt;|endoftext|&gt;": 4095 } }
/// </code>
/// </summary>
internal static class TokenizerJsonFormat
{
    public const string FormatName = "sharpformer-bpe";
    public const int Version = 1;

    public static BpeTokenizer Load(string path)
    {
        using var doc = ParseJson(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw Bad(path, "the top level is not a JSON object");
        if (HuggingFaceTokenizerFormat.Recognises(root)) return HuggingFaceTokenizerFormat.Load(path, root);
        if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
            throw Bad(path, $"neither Hugging Face tokenizers' format (a \"model\" object) nor the project's (\"format\": \"{FormatName}\")");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != Version)
            throw Bad(path, $"\"version\" is missing or not {Version} (this build reads version {Version})");
        string name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : Path.GetFileNameWithoutExtension(path);
        if (!root.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.String) throw Bad(path, "\"pattern\" is missing or not a string");

        var builder = new VocabularyBuilder();
        foreach (var entry in Member(path, root, "vocab", JsonValueKind.Object).EnumerateObject())
        {
            if (!ByteAlphabet.TryDecode(entry.Name, out var bytes) || bytes.Length == 0)
                throw Bad(path, $"vocab entry \"{entry.Name}\" is not written in the GPT-2 byte alphabet");
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id))
                throw Bad(path, $"vocab entry \"{entry.Name}\" has an id that is not an integer");
            if (builder.AddToken(id, bytes) is { } error) throw Bad(path, $"vocab entry \"{entry.Name}\": {error}");
        }
        int rank = 0;
        foreach (var merge in Member(path, root, "merges", JsonValueKind.Array).EnumerateArray())
        {
            string where = $"merges[{rank}]";
            var text = merge.ValueKind == JsonValueKind.String ? merge.GetString()! : throw Bad(path, $"{where} is not a string");
            var parts = text.Split(' ');
            if (parts.Length != 2) throw Bad(path, $"{where} \"{text}\" is not two tokens separated by one space");
            int left = builder.IdOf(parts[0]) ?? throw Bad(path, $"{where} \"{text}\": '{parts[0]}' is not in vocab");
            int right = builder.IdOf(parts[1]) ?? throw Bad(path, $"{where} \"{text}\": '{parts[1]}' is not in vocab");
            if (builder.AddMerge(left, right, rank) is { } error) throw Bad(path, $"{where} \"{text}\": {error}");
            rank++;
        }
        if (root.TryGetProperty("special_tokens", out var specials))
        {
            if (specials.ValueKind != JsonValueKind.Object) throw Bad(path, "\"special_tokens\" is not an object");
            foreach (var entry in specials.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id))
                    throw Bad(path, $"special_tokens entry \"{entry.Name}\" has an id that is not an integer");
                if (builder.AddSpecial(entry.Name, id) is { } error) throw Bad(path, $"special_tokens entry \"{entry.Name}\": {error}");
            }
        }
        try
        {
            return builder.Build(name, pattern.GetString()!);
        }
        catch (ArgumentException ex)
        {
            throw Bad(path, ex.Message);
        }
    }

    /// <summary>
    /// Parses the file as JSON after reading it as strict UTF-8 (<see cref="Data.TextFiles"/>): the JSON reader checks the
    /// bytes of a string only when it is read, and would then fail with an exception that names no file.
    /// </summary>
    internal static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(Data.TextFiles.ReadAllText(path), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw Bad(path, $"not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1} (is the file truncated?)");
        }
    }

    private static JsonElement Member(string path, JsonElement root, string name, JsonValueKind kind) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == kind ? value
            : throw Bad(path, $"\"{name}\" is missing or not a JSON {kind.ToString().ToLowerInvariant()}");

    internal static InvalidDataException Bad(string path, string what) => new($"{path}: {what}.");
}
