using System.Text.Json;

namespace Sharpformer.Tokenization;

/// <summary>
/// Saves and loads any of the project's tokenizers: a character tokenizer (JSON with "type": "char"), or a
/// BPE tokenizer in any format <see cref="BpeTokenizer.Load"/> reads (the project's JSON, a GPT-2
/// encoder.json + vocab.bpe folder, a tiktoken rank file).
/// </summary>
internal static class TokenizerFiles
{
    public static void Save(ITokenizer tokenizer, string path)
    {
        switch (tokenizer)
        {
            case CharTokenizer c: Tensors.AtomicFile.WriteAllText(path, c.ToJson()); break;
            case BpeTokenizer b: b.Save(path); break;
            default: throw new ArgumentException($"Tokenizer '{tokenizer.Name}' ({tokenizer.GetType().Name}) cannot be saved.");
        }
    }

    public static ITokenizer Load(string path)
    {
        if (Directory.Exists(path)) return BpeTokenizer.Load(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tokenizer file or folder not found.", path);
        return IsCharTokenizer(path) ? CharTokenizer.FromJson(File.ReadAllText(path), path) : BpeTokenizer.Load(path);
    }

    private static bool IsCharTokenizer(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.ReadByte() != '{') return false;
        stream.Position = 0;
        try
        {
            using var doc = JsonDocument.Parse(stream);
            return doc.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "char";
        }
        catch (JsonException) { return false; } // the BPE loader reports what is wrong with it
    }
}
