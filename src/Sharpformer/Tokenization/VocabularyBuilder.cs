namespace Sharpformer.Tokenization;

/// <summary>
/// Collects the parts every file format describes — tokens by id, merge rules, special tokens — and
/// checks them as they arrive, so a loader can name the offending line or entry.
/// </summary>
internal sealed class VocabularyBuilder
{
    private readonly List<byte[]?> _tokens = [];
    private readonly Dictionary<string, int> _idOfToken = new(StringComparer.Ordinal); // token in ByteAlphabet -> id
    private readonly Dictionary<long, Merge> _merges = [];
    private readonly Dictionary<string, int> _special = new(StringComparer.Ordinal);

    public int TokenCount => _idOfToken.Count;

    public int? IdOf(string alphabetToken) => _idOfToken.TryGetValue(alphabetToken, out int id) ? id : null;

    public byte[]? BytesOf(int id) => id < _tokens.Count ? _tokens[id] : null;

    /// <summary>Adds a regular token; returns an error text, or null when it is fine.</summary>
    public string? AddToken(int id, byte[] bytes)
    {
        if (id < 0) return $"id {id} is negative";
        if (id > 10_000_000) return $"id {id} is implausibly large";
        while (_tokens.Count <= id) _tokens.Add(null);
        if (_tokens[id] != null) return $"id {id} is used twice";
        var key = ByteAlphabet.Encode(bytes);
        if (!_idOfToken.TryAdd(key, id)) return $"token '{key}' appears twice";
        _tokens[id] = bytes;
        return null;
    }

    public void RemoveToken(int id)
    {
        if (BytesOf(id) is not { } bytes) return;
        _idOfToken.Remove(ByteAlphabet.Encode(bytes));
        _tokens[id] = null;
    }

    /// <summary>Adds the rule left + right -> result with <paramref name="rank"/>; returns an error text or null.</summary>
    public string? AddMerge(int left, int right, int rank)
    {
        var leftBytes = BytesOf(left);
        var rightBytes = BytesOf(right);
        if (leftBytes == null || rightBytes == null) return "a side of the merge is not a token";
        var merged = ByteAlphabet.Encode([.. leftBytes, .. rightBytes]);
        if (!_idOfToken.TryGetValue(merged, out int result)) return $"the merged token '{merged}' is not in the vocabulary";
        if (!_merges.TryAdd(MergeTable.Key(left, right), new Merge(rank, result))) return "the merge appears twice";
        return null;
    }

    public string? AddSpecial(string text, int id)
    {
        if (string.IsNullOrEmpty(text)) return "a special token is empty";
        if (id < 0) return $"id {id} is negative";
        if (id < _tokens.Count && _tokens[id] != null) return $"id {id} is also a regular token";
        if (_special.ContainsValue(id)) return $"id {id} is used twice";
        if (!_special.TryAdd(text, id)) return $"special token '{text}' appears twice";
        return null;
    }

    /// <summary>
    /// Tiktoken's rule: two adjacent tokens merge whenever their concatenation is a token, lowest rank
    /// first. That is a merge rule for every split of every token into two tokens, ranked by the whole.
    /// </summary>
    public void AddEverySplitAsMerge()
    {
        for (int id = 0; id < _tokens.Count; id++)
        {
            var bytes = _tokens[id];
            if (bytes == null || bytes.Length < 2) continue;
            var text = ByteAlphabet.Encode(bytes);
            for (int k = 1; k < text.Length; k++)
                if (_idOfToken.TryGetValue(text[..k], out int left) && _idOfToken.TryGetValue(text[k..], out int right))
                    _merges.TryAdd(MergeTable.Key(left, right), new Merge(id, id));
        }
    }

    public BpeTokenizer Build(string name, string pattern) =>
        new(name, _tokens, new MergeTable(_merges), _special, pattern);
}
