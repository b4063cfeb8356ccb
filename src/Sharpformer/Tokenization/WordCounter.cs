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
    private readonly List<Range> _pieces = [];

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
        CountUpTo(text, CollectPieces(text), int.MaxValue);
        CharactersRead += text.Length;
    }

    /// <summary>
    /// Counts the words of a stream chunk by chunk. A chunk is cut at the start of its third-to-last
    /// piece, and no closer to its end than the longest special token: the pieces before the cut are
    /// the ones the whole text would give (the patterns look at most one character past a match), and
    /// the rest is carried into the next chunk.
    /// </summary>
    public void Add(TextReader reader)
    {
        var buffer = new char[ChunkChars];
        int filled = 0;
        while (true)
        {
            int read = reader.ReadBlock(buffer, filled, buffer.Length - filled);
            filled += read;
            bool end = filled < buffer.Length;
            var text = buffer.AsSpan(0, filled);
            if (end)
            {
                Add(text);
                return;
            }
            var pieces = CollectPieces(text);
            int cut = CutPoint(pieces, filled - _longestSpecial);
            if (cut <= 0)
            {
                Array.Resize(ref buffer, buffer.Length * 2); // one piece fills the chunk: read more before cutting
                continue;
            }
            CountUpTo(text, pieces, cut);
            CharactersRead += cut;
            text[cut..].CopyTo(buffer);
            filled -= cut;
        }
    }

    private static int CutPoint(List<(Range Range, bool Special)> pieces, int limit)
    {
        for (int k = pieces.Count - 3; k > 0; k--)
        {
            int start = pieces[k].Range.Start.Value;
            if (start <= limit) return start;
        }
        return 0;
    }

    /// <summary>Pieces in order: specials as themselves, the text between them pre-tokenized.</summary>
    private List<(Range Range, bool Special)> CollectPieces(ReadOnlySpan<char> text)
    {
        var all = new List<(Range, bool)>();
        int at = 0;
        while (at < text.Length)
        {
            int special = FindSpecial(text[at..], out int length);
            int segmentEnd = special < 0 ? text.Length : at + special;
            _pieces.Clear();
            _preTokenizer.Split(text[at..segmentEnd], _pieces);
            foreach (var r in _pieces) all.Add((new Range(at + r.Start.Value, at + r.End.Value), false));
            if (special < 0) break;
            all.Add((new Range(segmentEnd, segmentEnd + length), true));
            at = segmentEnd + length;
        }
        return all;
    }

    private void CountUpTo(ReadOnlySpan<char> text, List<(Range Range, bool Special)> pieces, int cut)
    {
        foreach (var (range, special) in pieces)
        {
            if (range.Start.Value >= cut) break;
            if (special) continue;
            ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, text[range], out _);
            count++;
        }
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
}
