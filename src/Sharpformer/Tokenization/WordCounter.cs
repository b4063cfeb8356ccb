using System.Buffers;
using System.Runtime.InteropServices;

namespace Sharpformer.Tokenization;

/// <summary>
/// Counts pre-tokens ("words") of a corpus between special tokens. Training needs only these counts,
/// so a corpus of any size is read in chunks and memory grows with the number of distinct words.
/// </summary>
internal sealed class WordCounter
{
    private readonly PreTokenizer _preTokenizer;
    private readonly string[] _specials;
    private readonly int _longestSpecial;
    private readonly SearchValues<string>? _specialSearch;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    // The last pieces of the chunk being read, not yet counted: they may still change with the text after the chunk.
    private const int Held = 3;
    private readonly (int Start, int End, bool Special)[] _held = new (int, int, bool)[Held];
    private int _heldCount;
    private int _limit;
    private bool _stopped;

    /// <summary>Characters read per chunk; a chunk grows when it holds too few pieces to cut safely.</summary>
    internal int ChunkChars { get; init; } = 1 << 20;

    public WordCounter(PreTokenizer preTokenizer, IReadOnlyList<string> specialTokens)
    {
        _preTokenizer = preTokenizer;
        _specials = specialTokens.OrderByDescending(s => s.Length).ToArray();
        _longestSpecial = _specials.Length == 0 ? 0 : _specials[0].Length;
        _specialSearch = _specials.Length == 0 ? null : SearchValues.Create(_specials, StringComparison.Ordinal);
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public long CharactersRead { get; private set; }

    /// <summary>Counts the words of a whole text.</summary>
    public void Add(ReadOnlySpan<char> text)
    {
        CountChunk(text, final: true);
        CharactersRead += text.Length;
    }

    /// <summary>
    /// Counts the words of a stream chunk by chunk. The last three pieces of a chunk, and any piece
    /// starting within a special token's length of its end, are carried into the next chunk: the
    /// pieces before them are those the whole text would give (the patterns look at most one
    /// character past a match).
    /// </summary>
    public void Add(TextReader reader)
    {
        var buffer = new char[ChunkChars];
        int filled = 0;
        while (true)
        {
            filled += reader.ReadBlock(buffer, filled, buffer.Length - filled);
            var text = buffer.AsSpan(0, filled);
            if (filled < buffer.Length)
            {
                Add(text);
                return;
            }
            int cut = CountChunk(text, final: false);
            if (cut == 0)
            {
                Array.Resize(ref buffer, buffer.Length * 2); // too few pieces to cut: read more first
                continue;
            }
            CharactersRead += cut;
            text[cut..].CopyTo(buffer);
            filled -= cut;
        }
    }

    /// <summary>Counts the pieces of <paramref name="text"/>; returns where the uncounted rest starts.</summary>
    private int CountChunk(ReadOnlySpan<char> text, bool final)
    {
        _heldCount = 0;
        _stopped = false;
        _limit = final ? int.MaxValue : text.Length - _longestSpecial;
        int at = 0;
        while (at < text.Length)
        {
            int special = FindSpecial(text[at..], out int length);
            int segmentEnd = special < 0 ? text.Length : at + special;
            var sink = new CountingSink(this, text, at);
            _preTokenizer.Split(text[at..segmentEnd], ref sink);
            if (special < 0) break;
            Offer(text, segmentEnd, segmentEnd + length, special: true);
            at = segmentEnd + length;
        }
        if (!final) return _heldCount == 0 ? text.Length : _held[0].Start;
        for (int i = 0; i < _heldCount; i++) CountHeld(text, i);
        return text.Length;
    }

    /// <summary>Takes the next piece; counts the oldest held one once three pieces follow it.</summary>
    private void Offer(ReadOnlySpan<char> text, int start, int end, bool special)
    {
        if (_stopped) return;
        if (_heldCount == Held)
        {
            // The piece after the oldest would be the cut: it must start before any special token that
            // could run past the chunk's end.
            if (_held[1].Start > _limit) { _stopped = true; return; }
            CountHeld(text, 0);
            _held[0] = _held[1];
            _held[1] = _held[2];
            _heldCount--;
        }
        _held[_heldCount++] = (start, end, special);
    }

    private void CountHeld(ReadOnlySpan<char> text, int index)
    {
        var (start, end, special) = _held[index];
        if (special) return;
        ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, text[start..end], out _);
        count++;
    }

    /// <summary>Index of the first special token (the longest one there), or -1.</summary>
    private int FindSpecial(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        int at = _specialSearch == null ? -1 : text.IndexOfAny(_specialSearch);
        if (at < 0) return -1;
        foreach (var special in _specials)
        {
            if (!text[at..].StartsWith(special, StringComparison.Ordinal)) continue;
            length = special.Length;
            return at;
        }
        return -1;
    }

    private readonly ref struct CountingSink(WordCounter counter, ReadOnlySpan<char> text, int offset) : IPieceSink
    {
        private readonly ReadOnlySpan<char> _text = text;

        public void Add(int start, int end) => counter.Offer(_text, offset + start, offset + end, special: false);
    }
}
