using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sharpformer.Tokenization;

/// <summary>
/// The heart of BPE training. Each distinct word is kept once, with its count, as a sequence of token
/// ids; every adjacent pair's count is the sum over the words holding it, and each pair knows the
/// words it occurs in. A merge rewrites only those words and adjusts only the pairs around each
/// occurrence; a priority queue (stale entries skipped when popped) yields the next most frequent pair.
/// </summary>
internal sealed class MergeLearner
{
    private readonly int[] _symbols;      // all words' token ids back to back
    private readonly int[] _wordStart;    // word -> offset in _symbols
    private readonly int[] _wordLength;   // word -> tokens left (shrinks as merges apply)
    private readonly long[] _wordCount;   // word -> occurrences in the corpus
    private readonly List<byte[]> _tokens = [];
    private readonly Dictionary<long, PairState> _pairs = [];
    private readonly List<(long Pair, PairState State)> _touched = [];
    private readonly PriorityQueue<long, PairPriority> _queue;
    private int _stamp; // counts merges; marks a pair as touched by the current one

    /// <summary>A pair's count over the corpus and the words it may occur in (some may have lost it since).</summary>
    private sealed class PairState
    {
        public long Count;
        public int TouchedAt = -1;
        public List<int>? Words;
    }

    public MergeLearner(IReadOnlyList<(byte[] Bytes, long Count)> words)
    {
        for (int b = 0; b < 256; b++) _tokens.Add([(byte)b]);
        long total = 0;
        foreach (var (bytes, _) in words) total += bytes.Length;
        _symbols = new int[total];
        _wordStart = new int[words.Count];
        _wordLength = new int[words.Count];
        _wordCount = new long[words.Count];
        int at = 0;
        for (int w = 0; w < words.Count; w++)
        {
            var (bytes, count) = words[w];
            _wordStart[w] = at;
            _wordLength[w] = bytes.Length;
            _wordCount[w] = count;
            foreach (byte b in bytes) _symbols[at++] = b;
            for (int i = _wordStart[w]; i < at - 1; i++) AddToPair(MergeTable.Key(_symbols[i], _symbols[i + 1]), count, w);
        }
        _touched.Clear();
        _queue = new PriorityQueue<long, PairPriority>(
            _pairs.Select(kv => (kv.Key, Priority(kv.Key, kv.Value.Count))), new PairPriorityComparer(_tokens));
    }

    /// <summary>Token bytes by id: the 256 bytes, then one token per learned merge.</summary>
    public IReadOnlyList<byte[]> Tokens => _tokens;

    /// <summary>
    /// Learns up to <paramref name="mergeCount"/> merges (fewer when no pair is left) and returns them
    /// in order; merge i makes token 256 + i.
    /// </summary>
    public List<(int Left, int Right)> Learn(int mergeCount, Action<BpeTrainingProgress>? progress = null)
    {
        var merges = new List<(int, int)>(mergeCount);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (merges.Count < mergeCount && _queue.TryDequeue(out long pair, out var priority))
        {
            if (!_pairs.TryGetValue(pair, out var state) || state.Count != priority.Count) continue; // stale entry
            _stamp++;
            int left = MergeTable.Left(pair), right = MergeTable.Right(pair);
            int merged = _tokens.Count;
            _tokens.Add([.. _tokens[left], .. _tokens[right]]);
            merges.Add((left, right));

            var words = state.Words!;
            state.Words = null;
            words.Sort();
            for (int i = 0; i < words.Count; i++)
                if (i == 0 || words[i] != words[i - 1]) MergeInWord(words[i], left, right, merged);
            RequeueTouched();

            if (progress != null && (clock.Elapsed - lastReport).TotalSeconds >= 0.2)
            {
                lastReport = clock.Elapsed;
                progress(new BpeTrainingProgress(merges.Count, mergeCount, lastReport));
            }
        }
        progress?.Invoke(new BpeTrainingProgress(merges.Count, mergeCount, clock.Elapsed));
        return merges;
    }

    /// <summary>
    /// Replaces each (left, right) in word <paramref name="w"/> by <paramref name="merged"/>, left to right.
    /// Around an occurrence x left right y, pairs (x,left) (left,right) (right,y) lose the word's count and
    /// (x,merged) (merged,y) gain it; x is read from the rewritten part, so back-to-back occurrences
    /// ("a b a b") come out as (merged, merged).
    /// </summary>
    private void MergeInWord(int w, int left, int right, int merged)
    {
        int start = _wordStart[w], n = _wordLength[w];
        long count = _wordCount[w];
        var s = _symbols.AsSpan(start, n);
        int read = 0, write = 0;
        while (read < n)
        {
            if (read + 1 < n && s[read] == left && s[read + 1] == right)
            {
                AddToPair(MergeTable.Key(left, right), -count, w);
                if (write > 0)
                {
                    int before = s[write - 1];
                    AddToPair(MergeTable.Key(before, left), -count, w);
                    AddToPair(MergeTable.Key(before, merged), count, w);
                }
                if (read + 2 < n)
                {
                    int after = s[read + 2];
                    AddToPair(MergeTable.Key(right, after), -count, w);
                    AddToPair(MergeTable.Key(merged, after), count, w);
                }
                s[write++] = merged;
                read += 2;
            }
            else s[write++] = s[read++];
        }
        _wordLength[w] = write;
    }

    private void AddToPair(long pair, long delta, int word)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairs, pair, out _);
        var state = slot ??= new PairState();
        state.Count += delta;
        if (state.TouchedAt != _stamp)
        {
            state.TouchedAt = _stamp;
            _touched.Add((pair, state));
        }
        if (delta <= 0) return;
        var words = state.Words ??= [];
        if (words.Count == 0 || words[^1] != word) words.Add(word);
    }

    /// <summary>Gives every pair whose count changed a queue entry with its new count; forgets pairs that reached zero.</summary>
    private void RequeueTouched()
    {
        foreach (var (pair, state) in _touched)
        {
            if (state.Count > 0) _queue.Enqueue(pair, Priority(pair, state.Count));
            else _pairs.Remove(pair);
        }
        _touched.Clear();
    }

    private static PairPriority Priority(long pair, long count) => new(count, MergeTable.Left(pair), MergeTable.Right(pair));

    private readonly record struct PairPriority(long Count, int Left, int Right);

    /// <summary>
    /// Queue order: higher count first; on a tie the lexicographically greater pair of byte strings
    /// (left token's bytes, then right token's), which makes training deterministic.
    /// </summary>
    private sealed class PairPriorityComparer(List<byte[]> tokens) : IComparer<PairPriority>
    {
        public int Compare(PairPriority x, PairPriority y)
        {
            if (x.Count != y.Count) return y.Count.CompareTo(x.Count);
            int c = tokens[y.Left].AsSpan().SequenceCompareTo(tokens[x.Left]);
            if (c != 0) return c;
            c = tokens[y.Right].AsSpan().SequenceCompareTo(tokens[x.Right]);
            if (c != 0) return c;
            return x.Left != y.Left ? x.Left.CompareTo(y.Left) : x.Right.CompareTo(y.Right);
        }
    }
}
