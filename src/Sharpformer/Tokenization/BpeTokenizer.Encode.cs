using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Sharpformer.Tokenization;

internal sealed partial class BpeTokenizer
{
    /// <summary>Pieces cached at most; past it new pieces are encoded each time (bounds memory on huge corpora).</summary>
    public const int CacheCapacity = 200_000;

    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private int _cacheCount;

    /// <summary>Encodes <paramref name="text"/>; special tokens in it become their ids.</summary>
    public int[] Encode(string text) => Encode(text, allowSpecialTokens: true);

    /// <summary>Encodes <paramref name="text"/>; with <paramref name="allowSpecialTokens"/> false, special tokens are encoded as plain text.</summary>
    public int[] Encode(string text, bool allowSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids, allowSpecialTokens);
        return ids.ToArray();
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids, bool allowSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        while (!text.IsEmpty)
        {
            int length = 0, specialId = -1;
            int at = allowSpecialTokens ? FindSpecial(text, out length, out specialId) : -1;
            if (at < 0)
            {
                EncodeOrdinary(text, ids);
                return;
            }
            EncodeOrdinary(text[..at], ids);
            ids.Add(specialId);
            text = text[(at + length)..];
        }
    }

    /// <summary>The first special token in <paramref name="text"/> (longest on a tie): its index, or -1.</summary>
    internal int FindSpecial(ReadOnlySpan<char> text, out int length, out int id)
    {
        length = 0;
        id = -1;
        if (_specialSearch == null) return -1;
        int at = text.IndexOfAny(_specialSearch);
        if (at < 0) return -1;
        foreach (var special in _specialsLongestFirst)
        {
            if (!text[at..].StartsWith(special, StringComparison.Ordinal)) continue;
            length = special.Length;
            id = _specialTokens[special];
            return at;
        }
        return -1;
    }

    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        if (text.IsEmpty) return;
        var sink = new EncodingSink(this, text, ids);
        _preTokenizer.Split(text, ref sink);
    }

    /// <summary>Encodes each piece as the pre-tokenizer finds it.</summary>
    private readonly ref struct EncodingSink(BpeTokenizer tokenizer, ReadOnlySpan<char> text, List<int> ids) : IPieceSink
    {
        private readonly ReadOnlySpan<char> _text = text;

        public void Add(int start, int end) => tokenizer.EncodePiece(_text[start..end], ids);
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (piece.Length == 1 && piece[0] < 0x80)
        {
            ids.Add(_byteToId[piece[0]]);
            return;
        }
        if (_cacheLookup.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }
        var encoded = EncodePieceUncached(piece);
        if (_cacheCount < CacheCapacity && _cacheLookup.TryAdd(piece, encoded)) Interlocked.Increment(ref _cacheCount);
        ids.AddRange(encoded);
    }

    /// <summary>UTF-8 bytes -> one-byte tokens -> merged tokens.</summary>
    internal int[] EncodePieceUncached(ReadOnlySpan<char> piece)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        byte[]? rentedBytes = null;
        int[]? rentedIds = null;
        Span<byte> bytes = maxBytes <= 256 ? stackalloc byte[256] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
        Span<int> work = maxBytes <= 256 ? stackalloc int[256] : (rentedIds = ArrayPool<int>.Shared.Rent(maxBytes));
        int byteCount = Encoding.UTF8.GetBytes(piece, bytes);
        for (int i = 0; i < byteCount; i++) work[i] = _byteToId[bytes[i]];
        int count = _merges.Apply(work[..byteCount]);
        var result = work[..count].ToArray();
        if (rentedBytes != null) ArrayPool<byte>.Shared.Return(rentedBytes);
        if (rentedIds != null) ArrayPool<int>.Shared.Return(rentedIds);
        return result;
    }
}
