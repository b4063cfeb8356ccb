using System.Text.Encodings.Web;
using System.Text.Json;
using Sharpformer.Tensors;

namespace Sharpformer.Tokenization;

/// <summary>
/// Hugging Face tokenizers' tokenizer.json for byte-level BPE, as GPT-2's file on the hub has it:
/// <code>
/// { "version": "1.0", "truncation": null, "padding": null,
///   "added_tokens": [ { "id": 50256, "content": "&lt;|endoftext|&gt;", "special": true, … } ],
///   "normalizer": null,
///   "pre_tokenizer": { "type": "ByteLevel", "add_prefix_space": false, "use_regex": true, … },
///   "post_processor": { "type": "ByteLevel", … }, "decoder": { "type": "ByteLevel", … },
///   "model": { "type": "BPE", "vocab": { "!": 0, …, "Ġt": 256, … }, "merges": [ "Ġ t", … ], … } }
/// </code>
/// ByteLevel with use_regex splits with GPT-2's pattern; any other pattern is written the way GPT-4-style tokenizers
/// are: a Sequence of a Split (the regular expression, behavior Isolated) and a ByteLevel without regex. Merges are
/// read as "left right" strings or as [left, right] pairs (newer tokenizers versions). Every added token becomes a
/// special token (matched before pre-tokenization, never split). Settings that change the ids in ways this tokenizer
/// does not implement (a normalizer, add_prefix_space, BPE dropout, an unknown token, subword prefixes) are refused
/// by name. The file holds no name: a loaded tokenizer is named bpe-VOCAB_SIZE.
/// </summary>
internal static class HuggingFaceTokenizerFormat
{
    public static void Save(BpeTokenizer tokenizer, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            foreach (var (text, id) in tokenizer.SpecialTokens.OrderBy(kv => kv.Value))
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", text);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", true);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNull("normalizer");
            json.WritePropertyName("pre_tokenizer");
            bool gpt2Pattern = tokenizer.Pattern == SplitPatterns.Gpt2;
            if (gpt2Pattern) WriteByteLevel(json, useRegex: true);
            else
            {
                json.WriteStartObject();
                json.WriteString("type", "Sequence");
                json.WriteStartArray("pretokenizers");
                json.WriteStartObject();
                json.WriteString("type", "Split");
                json.WriteStartObject("pattern");
                json.WriteString("Regex", tokenizer.Pattern);
                json.WriteEndObject();
                json.WriteString("behavior", "Isolated");
                json.WriteBoolean("invert", false);
                json.WriteEndObject();
                WriteByteLevel(json, useRegex: false);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WritePropertyName("post_processor");
            WriteByteLevel(json, useRegex: true);
            json.WritePropertyName("decoder");
            WriteByteLevel(json, useRegex: true);
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteNull("unk_token");
            json.WriteString("continuing_subword_prefix", "");
            json.WriteString("end_of_word_suffix", "");
            json.WriteBoolean("fuse_unk", false);
            json.WriteBoolean("byte_fallback", false);
            json.WriteBoolean("ignore_merges", false);
            json.WriteStartObject("vocab");
            // Special tokens sit in the vocabulary too, under their text, as in GPT-2's file.
            for (int id = 0; id < tokenizer.VocabSize; id++)
            {
                if (tokenizer.TokenBytes(id).IsEmpty) continue;
                json.WriteNumber(tokenizer.IsSpecial(id) ? System.Text.Encoding.UTF8.GetString(tokenizer.TokenBytes(id)) : ByteAlphabet.Encode(tokenizer.TokenBytes(id)), id);
            }
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right, _) in tokenizer.MergesInRankOrder())
                json.WriteStringValue(ByteAlphabet.Encode(tokenizer.TokenBytes(left)) + " " + ByteAlphabet.Encode(tokenizer.TokenBytes(right)));
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    private static void WriteByteLevel(Utf8JsonWriter json, bool useRegex)
    {
        json.WriteStartObject();
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", useRegex);
        json.WriteEndObject();
    }

    /// <summary>True for a JSON object in tokenizers' layout (it has a "model" object), as opposed to the project's format.</summary>
    public static bool Recognises(JsonElement root) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object;

    public static BpeTokenizer Load(string path, JsonElement root)
    {
        var model = root.GetProperty("model");
        if (model.TryGetProperty("type", out var type) && TypeOf(model) != "BPE")
            throw Bad(path, $"model.type is {type.GetRawText()}; only \"BPE\" is supported");
        RequireNull(path, model, "dropout", "model.dropout (BPE dropout)");
        RequireNull(path, model, "unk_token", "model.unk_token (byte-level BPE needs no unknown token)");
        RequireEmptyOrNull(path, model, "continuing_subword_prefix");
        RequireEmptyOrNull(path, model, "end_of_word_suffix");
        RequireFalseOrAbsent(path, model, "byte_fallback", "model.byte_fallback");
        RequireFalseOrAbsent(path, model, "ignore_merges", "model.ignore_merges");
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            throw Bad(path, "a normalizer is not supported (\"normalizer\" must be null)");
        string pattern = PreTokenizerPattern(path, root.TryGetProperty("pre_tokenizer", out var pre) ? pre : default);
        if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind != JsonValueKind.Null && TypeOf(decoder) != "ByteLevel")
            throw Bad(path, $"decoder type \"{TypeOf(decoder)}\" is not supported (only ByteLevel)");

        var added = AddedTokens(path, root);
        int size = added.Count == 0 ? 0 : added.Keys.Max() + 1;
        var builder = new VocabularyBuilder();
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object) throw Bad(path, "model.vocab is missing or not an object");
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id))
                throw Bad(path, $"model.vocab entry \"{entry.Name}\" has an id that is not an integer");
            size = Math.Max(size, id + 1);
            if (added.TryGetValue(id, out var content) && content == entry.Name) continue; // an added token: special, below
            if (!ByteAlphabet.TryDecode(entry.Name, out var bytes) || bytes.Length == 0)
                throw Bad(path, $"model.vocab entry \"{entry.Name}\" is not written in the byte-level alphabet");
            if (builder.AddToken(id, bytes) is { } error) throw Bad(path, $"model.vocab entry \"{entry.Name}\": {error}");
        }
        if (!model.TryGetProperty("merges", out var merges) || merges.ValueKind != JsonValueKind.Array) throw Bad(path, "model.merges is missing or not an array");
        int rank = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            string where = $"model.merges[{rank}]";
            var (left, right) = MergePair(path, where, merge);
            int l = builder.IdOf(left) ?? throw Bad(path, $"{where}: '{left}' is not in model.vocab");
            int r = builder.IdOf(right) ?? throw Bad(path, $"{where}: '{right}' is not in model.vocab");
            if (builder.AddMerge(l, r, rank) is { } error) throw Bad(path, $"{where}: {error}");
            rank++;
        }
        foreach (var (id, content) in added)
            if (builder.AddSpecial(content, id) is { } error) throw Bad(path, $"added token \"{content}\" (id {id}): {error}");
        try { return builder.Build($"bpe-{size}", pattern); }
        catch (ArgumentException ex) { throw Bad(path, ex.Message); }
    }

    /// <summary>GPT-2's pattern for ByteLevel with use_regex, the Split's for a Sequence of Split and ByteLevel without.</summary>
    private static string PreTokenizerPattern(string path, JsonElement pre)
    {
        if (pre.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) throw Bad(path, "pre_tokenizer is missing (byte-level BPE needs ByteLevel)");
        if (TypeOf(pre) == "ByteLevel")
        {
            RequireByteLevelWithoutPrefixSpace(path, pre);
            if (pre.TryGetProperty("use_regex", out var useRegex) && useRegex.ValueKind == JsonValueKind.False)
                throw Bad(path, "a ByteLevel pre_tokenizer without use_regex (no split at all) is not supported");
            return SplitPatterns.Gpt2;
        }
        if (TypeOf(pre) == "Sequence" && pre.TryGetProperty("pretokenizers", out var list) && list.ValueKind == JsonValueKind.Array
            && list.GetArrayLength() == 2 && TypeOf(list[0]) == "Split" && TypeOf(list[1]) == "ByteLevel")
        {
            var split = list[0];
            RequireByteLevelWithoutPrefixSpace(path, list[1]);
            if (list[1].TryGetProperty("use_regex", out var useRegex) && useRegex.ValueKind != JsonValueKind.False)
                throw Bad(path, "the ByteLevel after a Split must have use_regex false");
            if (!split.TryGetProperty("behavior", out var behavior) || behavior.ValueKind != JsonValueKind.String || behavior.GetString() != "Isolated")
                throw Bad(path, "the Split pre-tokenizer's behavior must be \"Isolated\"");
            if (split.TryGetProperty("invert", out var invert) && invert.ValueKind != JsonValueKind.False)
                throw Bad(path, "an inverted Split pre-tokenizer is not supported");
            if (split.TryGetProperty("pattern", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                if (p.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String) return regex.GetString()!;
                if (p.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String)
                    return System.Text.RegularExpressions.Regex.Escape(literal.GetString()!);
            }
            throw Bad(path, "the Split pre-tokenizer has no pattern { \"Regex\": … } or { \"String\": … }");
        }
        throw Bad(path, $"pre_tokenizer \"{TypeOf(pre)}\" is not supported (ByteLevel, or a Sequence of Split and ByteLevel)");
    }

    private static void RequireByteLevelWithoutPrefixSpace(string path, JsonElement byteLevel)
    {
        if (byteLevel.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
            throw Bad(path, "ByteLevel add_prefix_space true is not supported (text is tokenized as it is)");
    }

    /// <summary>id -> content of "added_tokens"; lstrip, rstrip and single_word change matching and are refused.</summary>
    private static SortedDictionary<int, string> AddedTokens(string path, JsonElement root)
    {
        var added = new SortedDictionary<int, string>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null) return added;
        if (list.ValueKind != JsonValueKind.Array) throw Bad(path, "added_tokens is not an array");
        int index = 0;
        foreach (var token in list.EnumerateArray())
        {
            string where = $"added_tokens[{index++}]";
            if (token.ValueKind != JsonValueKind.Object || !token.TryGetProperty("id", out var id) || !id.TryGetInt32(out int value)
                || !token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                throw Bad(path, $"{where} needs an integer \"id\" and a string \"content\"");
            foreach (var flag in new[] { "lstrip", "rstrip", "single_word" })
                if (token.TryGetProperty(flag, out var f) && f.ValueKind == JsonValueKind.True)
                    throw Bad(path, $"{where} \"{content.GetString()}\": {flag} true is not supported");
            if (!added.TryAdd(value, content.GetString()!)) throw Bad(path, $"{where}: id {value} is used twice");
        }
        return added;
    }

    private static (string Left, string Right) MergePair(string path, string where, JsonElement merge)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            var parts = merge.GetString()!.Split(' ');
            if (parts.Length == 2) return (parts[0], parts[1]);
        }
        else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
            && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            return (merge[0].GetString()!, merge[1].GetString()!);
        throw Bad(path, $"{where} is neither \"left right\" nor [\"left\", \"right\"]");
    }

    private static string? TypeOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    private static void RequireNull(string path, JsonElement o, string key, string what)
    {
        if (o.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null) throw Bad(path, $"{what} is not supported");
    }

    private static void RequireEmptyOrNull(string path, JsonElement o, string key)
    {
        if (o.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null && !(v.ValueKind == JsonValueKind.String && v.GetString() == ""))
            throw Bad(path, $"model.{key} \"{v}\" is not supported (byte-level BPE has none)");
    }

    private static void RequireFalseOrAbsent(string path, JsonElement o, string key, string what)
    {
        if (o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.True) throw Bad(path, $"{what} true is not supported");
    }

    private static InvalidDataException Bad(string path, string what) => TokenizerJsonFormat.Bad(path, what);
}
