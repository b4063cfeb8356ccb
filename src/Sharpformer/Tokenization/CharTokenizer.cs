using System.Text;
using System.Text.Json;

namespace Sharpformer.Tokenization;

/// <summary>
/// Character-level tokenizer (nanoGPT's shakespeare_char): the vocabulary is the corpus's distinct
/// characters (Unicode code points) in code-point order, and each character is one token.
/// </summary>
internal sealed class CharTokenizer : ITokenizer
{
    private readonly int[] _symbols;                 // id -> code point
    private readonly Dictionary<int, int> _ids;      // code point -> id

    public CharTokenizer(IEnumerable<int> codePoints)
    {
        _symbols = codePoints.Distinct().Order().ToArray();
        if (_symbols.Length == 0) throw new ArgumentException("A character tokenizer needs at least one character.");
        _ids = _symbols.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    public static CharTokenizer FromText(string text) => new(text.EnumerateRunes().Select(r => r.Value));

    public int VocabSize => _symbols.Length;
    public string Name => "char";

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        int index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (!_ids.TryGetValue(rune.Value, out int id))
                throw new ArgumentException($"Character '{rune}' (U+{rune.Value:X4}) at index {index} is not in the tokenizer's vocabulary of {VocabSize} characters.");
            ids.Add(id);
            index += rune.Utf16SequenceLength;
        }
        return ids.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder(ids.Length);
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_symbols.Length) throw new ArgumentException($"Token id {id} is outside the vocabulary of {VocabSize}.");
            sb.Append(char.ConvertFromUtf32(_symbols[id]));
        }
        return sb.ToString();
    }

    public string ToJson() =>
        JsonSerializer.Serialize(new CharTokenizerFile("char", 1, Decode(Enumerable.Range(0, VocabSize).ToArray())), TokenizerFileJson.Default.CharTokenizerFile);

    public static CharTokenizer FromJson(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.GetProperty("type").GetString() != "char")
                throw new InvalidDataException($"{source}: not a character tokenizer (type is '{root.GetProperty("type").GetString()}').");
            var chars = root.GetProperty("chars").GetString() ?? "";
            if (chars.Length == 0) throw new InvalidDataException($"{source}: a character tokenizer with no characters (\"chars\" is empty).");
            return FromText(chars);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: malformed character tokenizer ({e.Message}).");
        }
    }
}
