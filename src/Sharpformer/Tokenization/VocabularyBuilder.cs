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
        if (id >= BpeTokenizer.MaxVocabSize) return $"id {id} is over the limit: ids must be below {BpeTokenizer.MaxVocabSize:N0}";
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
        if (id >= BpeTokenizer.MaxVocabSize) return $"id {id} is over the limit: ids must be below {BpeTokenizer.MaxVocabSize:N0}";
        if (id < _tokens.Count && _tokens[id] != null) return $"id {id} is also a regular token";
        if (_special.ContainsValue(id)) return $"id {id} is used twice";
        if (!_special.TryAdd(text, id)) return $"special token '{text}' appears twice";
        return null;
    }

    /// <summary>
    /// Tiktoken's rule: two adjacent tokens merge whenever their concatenation is a token, lowest rank
    /// first. That is a merge rule for every split of every token into two tokens, ranked by the whole.
    /// Each split is tested in constant time (polynomial hashes of the token's prefixes give the hash of both
    /// sides; a hit is confirmed byte by byte), so a token of n bytes costs O(n), not O(n²).
    /// </summary>
    public void AddEverySplitAsMerge()
    {
        var byHash = new Dictionary<(ulong Hash, int Length), int>();
        int longest = 0;
        for (int id = 0; id < _tokens.Count; id++)
        {
            if (_tokens[id] is not { } bytes) continue;
            var key = (Hash(bytes), bytes.Length);
            if (!byHash.TryAdd(key, id)) byHash[key] = Ambiguous;
            longest = Math.Max(longest, bytes.Length);
        }
        var power = new ulong[longest + 1];
        var prefix = new ulong[longest + 1];
        power[0] = 1;
        for (int i = 1; i <= longest; i++) power[i] = MulMod(power[i - 1], HashBase);
        for (int id = 0; id < _tokens.Count; id++)
        {
            var bytes = _tokens[id];
            if (bytes == null || bytes.Length < 2) continue;
            int n = bytes.Length;
            for (int i = 0; i < n; i++) prefix[i + 1] = AddMod(MulMod(prefix[i], HashBase), bytes[i] + 1UL);
            for (int k = 1; k < n; k++)
            {
                int left = Find(byHash, prefix[k], bytes.AsSpan(0, k));
                if (left < 0) continue;
                ulong suffix = SubMod(prefix[n], MulMod(prefix[k], power[n - k]));
                int right = Find(byHash, suffix, bytes.AsSpan(k));
                if (right >= 0) _merges.TryAdd(MergeTable.Key(left, right), new Merge(id, id));
            }
        }
    }

    private const ulong HashModulus = (1UL << 61) - 1, HashBase = 0x1F3D_5B79_A5C3_E1UL;
    private const int Ambiguous = -2;

    /// <summary>The id whose bytes are <paramref name="bytes"/>, or -1.</summary>
    private int Find(Dictionary<(ulong, int), int> byHash, ulong hash, ReadOnlySpan<byte> bytes)
    {
        if (!byHash.TryGetValue((hash, bytes.Length), out int id)) return -1;
        if (id == Ambiguous) return _idOfToken.TryGetValue(ByteAlphabet.Encode(bytes), out int exact) ? exact : -1;
        return _tokens[id].AsSpan().SequenceEqual(bytes) ? id : -1;
    }

    private static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        ulong h = 0;
        foreach (byte b in bytes) h = AddMod(MulMod(h, HashBase), b + 1UL);
        return h;
    }

    private static ulong MulMod(ulong a, ulong b)
    {
        UInt128 product = (UInt128)a * b;
        ulong r = (ulong)(product & HashModulus) + (ulong)(product >> 61);
        if (r >= HashModulus) r -= HashModulus;
        return r >= HashModulus ? r - HashModulus : r;
    }

    private static ulong AddMod(ulong a, ulong b)
    {
        ulong r = a + b;
        return r >= HashModulus ? r - HashModulus : r;
    }

    private static ulong SubMod(ulong a, ulong b) => a >= b ? a - b : a + HashModulus - b;

    public BpeTokenizer Build(string name, string pattern) =>
        new(name, _tokens, new MergeTable(_merges), _special, pattern);
}
