using System.Text.Json;

namespace Sharpformer.Tokenization;

/// <summary>
/// Saves and loads any of the project's tokenizers: a character tokenizer (JSON with "type": "char"), or a
/// BPE tokenizer (saved as Hugging Face's tokenizer.json) in any format <see cref="BpeTokenizer.Load"/> reads
/// (tokenizer.json, the project's earlier JSON, GPT-2's or Hugging Face's vocabulary files, a tiktoken rank file).
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
        return IsCharTokenizer(path) ? CharTokenizer.FromJson(Data.TextFiles.ReadAllText(path), path) : BpeTokenizer.Load(path);
    }

    private static bool IsCharTokenizer(string path)
    {
        using (var stream = File.OpenRead(path))
            if (stream.ReadByte() != '{') return false;
        try
        {
            // Read as strict UTF-8 first: invalid bytes in a JSON string are reported naming the file.
            using var doc = JsonDocument.Parse(Data.TextFiles.ReadAllText(path));
            return doc.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "char";
        }
        catch (JsonException) { return false; } // the BPE loader reports what is wrong with it
    }
}
