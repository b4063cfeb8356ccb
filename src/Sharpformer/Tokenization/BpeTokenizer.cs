using System.Buffers;
using System.Text;

namespace Sharpformer.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer: text is pre-tokenized into pieces, each piece's UTF-8 bytes start as
/// one token per byte and are merged by the learned rules, lowest rank first. Special tokens
/// (e.g. "&lt;|endoftext|&gt;") are matched first and never split. Immutable apart from its cache of
/// encoded pieces, so one instance may encode on many threads at once.
/// </summary>
internal sealed partial class BpeTokenizer : ITokenizer
{
    /// <summary>
    /// Ids, regular and special, must be below this (2,097,152; the largest vocabularies in use have about 256k):
    /// a file cannot make the tokenizer allocate tables for billions of ids.
    /// </summary>
    public const int MaxVocabSize = 1 << 21;

    private readonly byte[][] _tokenBytes;           // id -> bytes (a special token: its UTF-8 text)
    private readonly bool[] _isSpecial;              // id -> is a special token
    private readonly int[] _byteToId = new int[256]; // byte value -> id of its one-byte token
    private readonly MergeTable _merges;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly string[] _specialsLongestFirst;
    private readonly SearchValues<string>? _specialSearch;
    private readonly PreTokenizer _preTokenizer;
    private readonly Lazy<Dictionary<string, int>> _idOfToken;

    /// <param name="name">Short name for logs.</param>
    /// <param name="tokens">Bytes of each id; null for ids that are special tokens (and for unused ids).</param>
    /// <param name="merges">Merge rules: (left id, right id) -> (rank, result id).</param>
    /// <param name="specialTokens">Special token text -> id.</param>
    /// <param name="pattern">Pre-tokenizer pattern ("gpt2", "gpt4" or a regular expression).</param>
    internal BpeTokenizer(string name, IReadOnlyList<byte[]?> tokens, MergeTable merges,
        IReadOnlyDictionary<string, int> specialTokens, string pattern)
    {
        Name = name;
        _merges = merges;
        _preTokenizer = PreTokenizer.Create(pattern);
        if (tokens.Count > MaxVocabSize)
            throw new ArgumentException($"The vocabulary has {tokens.Count} ids; at most {MaxVocabSize} are supported.", nameof(tokens));
        int vocabSize = tokens.Count;
        foreach (var (text, id) in specialTokens)
        {
            if (id < 0 || id >= MaxVocabSize)
                throw new ArgumentException($"Special token '{text}' has id {id}; ids must be in [0, {MaxVocabSize}).", nameof(specialTokens));
            vocabSize = Math.Max(vocabSize, id + 1);
        }
        VocabSize = vocabSize;
        _tokenBytes = new byte[vocabSize][];
        _isSpecial = new bool[vocabSize];
        Array.Fill(_byteToId, -1);
        for (int id = 0; id < tokens.Count; id++)
        {
            _tokenBytes[id] = tokens[id] ?? [];
            if (tokens[id] is { Length: 1 } single && _byteToId[single[0]] < 0) _byteToId[single[0]] = id;
        }
        int missing = Array.IndexOf(_byteToId, -1);
        if (missing >= 0) throw new ArgumentException($"The vocabulary has no token for byte 0x{missing:X2}; byte-level BPE needs all 256.", nameof(tokens));

        _specialTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (text, id) in specialTokens)
        {
            if (string.IsNullOrEmpty(text)) throw new ArgumentException("A special token must not be empty.", nameof(specialTokens));
            if (id < 0 || (id < tokens.Count && tokens[id] != null))
                throw new ArgumentException($"Special token '{text}' has id {id}, which is negative or already a regular token.", nameof(specialTokens));
            _specialTokens.Add(text, id);
            _tokenBytes[id] = Encoding.UTF8.GetBytes(text);
            _isSpecial[id] = true;
        }
        _specialsLongestFirst = _specialTokens.Keys.OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).ToArray();
        _specialSearch = _specialsLongestFirst.Length > 0 ? SearchValues.Create(_specialsLongestFirst, StringComparison.Ordinal) : null;
        _idOfToken = new Lazy<Dictionary<string, int>>(BuildIdOfToken);
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    public int VocabSize { get; }

    /// <summary>The pre-tokenizer's regular expression.</summary>
    public string Pattern => _preTokenizer.Pattern;

    /// <summary>Special token text -> id.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    /// <summary>Number of merge rules.</summary>
    public int MergeCount => _merges.Count;

    /// <summary>The bytes <paramref name="id"/> stands for (a special token: its UTF-8 text).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => _tokenBytes[CheckId(id, nameof(id))];

    /// <summary>True when <paramref name="id"/> is a special token.</summary>
    public bool IsSpecial(int id) => _isSpecial[CheckId(id, nameof(id))];

    /// <summary>
    /// The id of a special token's text, or of the regular token whose bytes are <paramref name="token"/>'s
    /// UTF-8; null when there is none.
    /// </summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_specialTokens.TryGetValue(token, out int special)) return special;
        return _idOfToken.Value.TryGetValue(ByteAlphabet.Encode(Encoding.UTF8.GetBytes(token)), out int id) ? id : null;
    }

    /// <summary>The concatenated bytes of <paramref name="ids"/>; use it to stream text that may end mid-character.</summary>
    public byte[] DecodeBytes(ReadOnlySpan<int> ids)
    {
        int length = 0;
        for (int i = 0; i < ids.Length; i++) length += _tokenBytes[CheckId(ids[i], $"ids[{i}]")].Length;
        var bytes = new byte[length];
        int at = 0;
        foreach (int id in ids)
        {
            _tokenBytes[id].CopyTo(bytes, at);
            at += _tokenBytes[id].Length;
        }
        return bytes;
    }

    /// <summary>The text of <paramref name="ids"/>; an incomplete or invalid UTF-8 sequence becomes U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids) => Encoding.UTF8.GetString(DecodeBytes(ids));

    /// <summary>Writes Hugging Face tokenizers' tokenizer.json (see docs/tokenizer.md) via a temporary file and a rename.</summary>
    public void Save(string path) => HuggingFaceTokenizerFormat.Save(this, path);

    /// <summary>Writes Hugging Face's vocab.json and merges.txt (GPT-2's encoder.json and vocab.bpe under those names) into <paramref name="folder"/>.</summary>
    public void SaveVocabAndMerges(string folder) => Gpt2VocabularyFormat.Save(this, folder, HuggingFaceVocabularyFormat.VocabFile, HuggingFaceVocabularyFormat.MergesFile);

    /// <summary>
    /// Loads a tokenizer, detecting the format: Hugging Face's tokenizer.json or the project's JSON file; a folder
    /// holding GPT-2's encoder.json and vocab.bpe or Hugging Face's vocab.json and merges.txt (or the path of either);
    /// or a tiktoken rank file.
    /// </summary>
    public static BpeTokenizer Load(string path) => BpeTokenizerFiles.Load(path);

    /// <summary>
    /// Loads a tiktoken rank file with an explicit pattern and special tokens (a rank file holds neither;
    /// <see cref="Load"/> fills them in only for GPT-2's and cl100k_base's vocabularies).
    /// </summary>
    public static BpeTokenizer LoadTiktoken(string path, string? pattern = null, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Tokenizer file not found: {path}", path);
        return TiktokenFormat.Load(path, pattern, specialTokens);
    }

    /// <summary>Merge rules in rank order as (left id, right id, result id).</summary>
    internal IEnumerable<(int Left, int Right, int Result)> MergesInRankOrder() =>
        _merges.Rules.OrderBy(r => r.Merge.Rank).ThenBy(r => r.Left).ThenBy(r => r.Right).Select(r => (r.Left, r.Right, r.Merge.Result));

    private int CheckId(int id, string what)
    {
        if ((uint)id >= (uint)VocabSize) throw new ArgumentException($"{what} = {id} is outside the vocabulary [0, {VocabSize}).", what);
        return id;
    }

    private Dictionary<string, int> BuildIdOfToken()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _tokenBytes.Length; id++)
            if (!_isSpecial[id] && _tokenBytes[id].Length > 0) map.TryAdd(ByteAlphabet.Encode(_tokenBytes[id]), id);
        return map;
    }
}
