using System.Runtime.CompilerServices;

namespace Sharpformer.Tokenization;

/// <summary>A pair's merge: its priority (lower merges first) and the token it becomes.</summary>
internal readonly record struct Merge(int Rank, int Result);

/// <summary>
/// The merge rules of a BPE vocabulary and the algorithm that applies them to one piece: repeatedly
/// merge the adjacent pair of lowest rank, the leftmost one on a tie, until no pair has a rule.
/// Immutable, so safe to share between threads.
/// </summary>
internal sealed class MergeTable
{
    private readonly Dictionary<long, Merge> _merges;

    /// <summary>Pieces up to this many bytes use the quadratic scan; longer ones a heap (n log n).</summary>
    internal const int ShortPiece = 64;

    public MergeTable(Dictionary<long, Merge> merges) => _merges = merges;

    public int Count => _merges.Count;

    public IEnumerable<(int Left, int Right, Merge Merge)> Rules =>
        _merges.Select(kv => (Left(kv.Key), Right(kv.Key), kv.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public static int Left(long key) => (int)(key >> 32);

    public static int Right(long key) => (int)key;

    public bool TryGet(int left, int right, out Merge merge) => _merges.TryGetValue(Key(left, right), out merge);

    /// <summary>Merges <paramref name="ids"/> in place; returns how many ids remain at its start.</summary>
    public int Apply(Span<int> ids) => ids.Length <= ShortPiece ? ApplyByScan(ids) : ApplyByHeap(ids);

    /// <summary>O(n²) but allocation-free: keeps the rank of each adjacent pair and rescans for the minimum.</summary>
    internal int ApplyByScan(Span<int> ids)
    {
        int n = ids.Length;
        if (n < 2) return n;
        Span<int> ranks = n <= ShortPiece ? stackalloc int[ShortPiece] : new int[n];
        for (int i = 0; i < n - 1; i++) ranks[i] = RankOf(ids[i], ids[i + 1]);
        while (n > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i < n - 1; i++)
                if (ranks[i] < bestRank) { bestRank = ranks[i]; best = i; }
            if (best < 0) break;

            ids[best] = _merges[Key(ids[best], ids[best + 1])].Result;
            // Close the gap left by ids[best + 1].
            ids.Slice(best + 2, n - best - 2).CopyTo(ids.Slice(best + 1));
            int pairsAfter = n - best - 3;
            if (pairsAfter > 0) ranks.Slice(best + 2, pairsAfter).CopyTo(ranks.Slice(best + 1));
            n--;
            if (best > 0) ranks[best - 1] = RankOf(ids[best - 1], ids[best]);
            if (best < n - 1) ranks[best] = RankOf(ids[best], ids[best + 1]);
        }
        return n;
    }

    /// <summary>
    /// O(n log n) for long pieces (a megabyte of spaces is one piece): a linked list of live tokens and
    /// a heap of candidate pairs ordered by (rank, position); a popped pair that no longer exists is skipped.
    /// </summary>
    internal int ApplyByHeap(Span<int> ids)
    {
        int n = ids.Length;
        if (n < 2) return n;
        var token = ids.ToArray();
        var next = new int[n];
        var prev = new int[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1; prev[i] = i - 1; }
        var heap = new PriorityQueue<(int Left, int Right, int LeftId, int RightId), (int Rank, int Position)>(n);
        void Offer(int left)
        {
            if (left < 0 || next[left] >= n) return;
            int right = next[left];
            int rank = RankOf(token[left], token[right]);
            if (rank != int.MaxValue) heap.Enqueue((left, right, token[left], token[right]), (rank, left));
        }
        for (int i = 0; i < n - 1; i++) Offer(i);

        while (heap.TryDequeue(out var pair, out _))
        {
            // Stale when either side was merged away or changed since the pair was offered.
            if (next[pair.Left] != pair.Right || token[pair.Left] != pair.LeftId || token[pair.Right] != pair.RightId) continue;
            token[pair.Left] = _merges[Key(pair.LeftId, pair.RightId)].Result;
            int after = next[pair.Right];
            next[pair.Left] = after;
            if (after < n) prev[after] = pair.Left;
            token[pair.Right] = -1;
            Offer(prev[pair.Left]);
            Offer(pair.Left);
        }

        int count = 0;
        for (int i = 0; i < n; i = next[i]) ids[count++] = token[i];
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int RankOf(int left, int right) =>
        _merges.TryGetValue(Key(left, right), out var merge) ? merge.Rank : int.MaxValue;
}
