using System.Text.Json;

namespace Sharpformer.Tokenization;

/// <summary>
/// OpenAI's GPT-2 files: encoder.json (token in the byte alphabet -> id) and vocab.bpe ("#version"
/// line, then one merge a line: left and right token separated by one space, in rank order). Every key of
/// encoder.json is written in the byte alphabet; entries that are neither a byte nor a merge result, written like
/// "&lt;|endoftext|&gt;", are special tokens, and any other key is an error. Hugging Face's vocab.json and merges.txt
/// are the same two files under other names (<see cref="HuggingFaceVocabularyFormat"/>).
/// </summary>
internal static class Gpt2VocabularyFormat
{
    public const string EncoderFile = "encoder.json";
    public const string MergesFile = "vocab.bpe";

    /// <summary>encoder.json as GPT-2 writes it: the byte-alphabet keys as they are, not as \u escapes.</summary>
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<Dictionary<string, int>> EncoderJson =
        new TokenizerFileJson(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).DictionaryStringInt32;

    public static BpeTokenizer Load(string folder, string encoderFile = EncoderFile, string mergesFile = MergesFile)
    {
        var encoderPath = Path.Combine(folder, encoderFile);
        var mergesPath = Path.Combine(folder, mergesFile);
        if (!File.Exists(encoderPath)) throw new FileNotFoundException($"{encoderPath} is missing (a GPT-2 vocabulary needs {encoderFile} and {mergesFile}).", encoderPath);
        if (!File.Exists(mergesPath)) throw new FileNotFoundException($"{mergesPath} is missing (a GPT-2 vocabulary needs {encoderFile} and {mergesFile}).", mergesPath);

        var entries = ReadEncoder(encoderPath);
        var builder = new VocabularyBuilder();
        var candidates = new List<(string Text, int Id)>();
        foreach (var (token, id) in entries)
        {
            if (!ByteAlphabet.TryDecode(token, out var bytes) || bytes.Length == 0)
                throw TokenizerJsonFormat.Bad(encoderPath, $"entry \"{Shorten(token)}\" (id {id}) is not written in the GPT-2 byte alphabet (every key, special tokens like <|endoftext|> included, is)");
            if (builder.AddToken(id, bytes) is { } error) throw TokenizerJsonFormat.Bad(encoderPath, $"entry \"{Shorten(token)}\": {error}");
        }

        var results = ReadMerges(mergesPath, builder, encoderFile);
        // Tokens made by no merge and longer than a byte can only be special tokens (e.g. <|endoftext|>).
        var producedOrByte = new HashSet<int>(results);
        for (int id = 0; id < entries.Count; id++)
            if (builder.BytesOf(id) is { Length: 1 }) producedOrByte.Add(id);
        foreach (var (token, id) in entries)
        {
            if (producedOrByte.Contains(id) || builder.BytesOf(id) == null) continue;
            if (!(token.StartsWith('<') && token.EndsWith('>')))
                throw TokenizerJsonFormat.Bad(encoderPath, $"entry \"{token}\" (id {id}) is made by no merge in {mergesFile} and is not a special token like <|endoftext|> (is {mergesFile} truncated?)");
            candidates.Add((token, id));
        }
        foreach (var (text, id) in candidates) RegisterSpecial(builder, encoderPath, text, id);
        try
        {
            return builder.Build("gpt2", SplitPatterns.Gpt2);
        }
        catch (ArgumentException ex)
        {
            throw TokenizerJsonFormat.Bad(encoderPath, ex.Message);
        }
    }

    /// <summary>
    /// Writes the two files into <paramref name="folder"/>: every token, special ones included, under its bytes in the
    /// byte alphabet (special tokens must look like &lt;…&gt; to be read back as special), and the merges in rank order
    /// after a "#version: 0.2" line.
    /// </summary>
    public static void Save(BpeTokenizer tokenizer, string folder, string encoderFile, string mergesFile)
    {
        if (tokenizer.SpecialTokens.Keys.FirstOrDefault(t => !(t.StartsWith('<') && t.EndsWith('>'))) is { } odd)
            throw new ArgumentException($"Special token '{odd}' does not look like <…>; {encoderFile} and {mergesFile} could not mark it special.", nameof(tokenizer));
        Directory.CreateDirectory(folder);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < tokenizer.VocabSize; id++)
            if (!tokenizer.TokenBytes(id).IsEmpty) vocab[ByteAlphabet.Encode(tokenizer.TokenBytes(id))] = id;
        Tensors.AtomicFile.WriteAllText(Path.Combine(folder, encoderFile), JsonSerializer.Serialize(vocab, EncoderJson));
        var lines = new System.Text.StringBuilder("#version: 0.2\n");
        foreach (var (left, right, _) in tokenizer.MergesInRankOrder())
            lines.Append(ByteAlphabet.Encode(tokenizer.TokenBytes(left))).Append(' ').Append(ByteAlphabet.Encode(tokenizer.TokenBytes(right))).Append('\n');
        Tensors.AtomicFile.WriteAllText(Path.Combine(folder, mergesFile), lines.ToString());
    }

    private static void RegisterSpecial(VocabularyBuilder builder, string path, string text, int id)
    {
        // "<|endoftext|>" is also valid byte-alphabet text, so it was first read as a regular token.
        if (builder.BytesOf(id) != null) builder.RemoveToken(id);
        if (builder.AddSpecial(text, id) is { } error) throw TokenizerJsonFormat.Bad(path, $"entry \"{text}\": {error}");
    }

    private static List<(string Token, int Id)> ReadEncoder(string path)
    {
        using var doc = TokenizerJsonFormat.ParseJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw TokenizerJsonFormat.Bad(path, "the top level is not a JSON object of token -> id");
        var entries = new List<(string, int)>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                throw TokenizerJsonFormat.Bad(path, $"entry \"{entry.Name}\" has an id that is not a non-negative integer");
            entries.Add((entry.Name, id));
        }
        return entries;
    }

    /// <summary>Reads vocab.bpe into <paramref name="builder"/>; returns the ids the merges produce.</summary>
    private static List<int> ReadMerges(string path, VocabularyBuilder builder, string encoderFile)
    {
        var produced = new List<int>();
        int rank = 0;
        foreach (var (line, lineNumber) in Data.TextFiles.ReadLines(path))
        {
            if (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)) continue;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw TokenizerJsonFormat.Bad(path, $"line {lineNumber} \"{Shorten(line)}\" is not two tokens separated by one space");
            int left = builder.IdOf(parts[0]) ?? throw TokenizerJsonFormat.Bad(path, $"line {lineNumber}: '{parts[0]}' is not in {encoderFile}");
            int right = builder.IdOf(parts[1]) ?? throw TokenizerJsonFormat.Bad(path, $"line {lineNumber}: '{parts[1]}' is not in {encoderFile}");
            if (builder.AddMerge(left, right, rank++) is { } error) throw TokenizerJsonFormat.Bad(path, $"line {lineNumber}: {error}");
            produced.Add(builder.IdOf(parts[0] + parts[1])!.Value);
        }
        return produced;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
