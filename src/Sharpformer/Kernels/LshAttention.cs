namespace Sharpformer.Kernels;

/// <summary>
/// Options of hashing attention: <see cref="Buckets"/> (even) angular LSH buckets from random rotations,
/// <see cref="ChunkSize"/> queries per chunk of the sorted order, <see cref="Rounds"/> independent hashings, and
/// whether a query skips the key at its own position unless it sees nothing else in that round (needed when
/// keys are the normalised queries, whose score with themselves would dominate).
/// </summary>
public readonly record struct LshOptions(int Buckets, int ChunkSize, int Rounds, bool ExcludeSelf)
{
    public void Validate()
    {
        if (Buckets < 2 || Buckets % 2 != 0) throw new ArgumentException($"LSH buckets must be even and at least 2, got {Buckets}.", nameof(Buckets));
        if (ChunkSize < 1) throw new ArgumentException($"LSH chunk size must be at least 1, got {ChunkSize}.", nameof(ChunkSize));
        if (Rounds < 1) throw new ArgumentException($"LSH rounds must be at least 1, got {Rounds}.", nameof(Rounds));
    }

    /// <summary>Floats of the rotation tensor: (Rounds, hs, Buckets / 2).</summary>
    public int RotationSize(int headSize) => Rounds * headSize * (Buckets / 2);
}

/// <summary>
/// Reformer's hashing attention. Per round, queries and keys are hashed by a random rotation R (hs, nb/2):
/// bucket(x) = argmax [x·R, −x·R]; each sequence is sorted by (bucket, position) and cut into chunks (the
/// queries into chunks of <see cref="LshOptions.ChunkSize"/>, the keys into as many equal chunks), and the
/// queries of chunk m attend to the keys of chunks m − 1 and m (no wrap-around), under the causal and padding
/// masks. All rounds' entries form one softmax per query, which equals combining the per-round outputs by
/// their log-sum-exp. The forward pass saves the row log-sum-exp; the backward pass rehashes (the bucket
/// assignment is a constant) and recomputes the entries. Parallel over batch·head.
/// </summary>
public static unsafe partial class LshAttention
{
    /// <summary>Scratch memory held by the hashing kernels on all threads.</summary>
    public static AttentionScratchCounter Scratch { get; } = new();

    private static void ValidateInputs(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        in AttentionShape shape, in LshOptions options, ReadOnlySpan<float> rotations)
    {
        options.Validate();
        shape.Validate(keyLengths);
        shape.RequireQuery(q.Length, nameof(q));
        shape.RequireKey(k.Length, nameof(k));
        shape.RequireKey(v.Length, nameof(v));
        AttentionShape.Require(rotations.Length, options.RotationSize(shape.HeadSize), nameof(rotations), "(rounds, hs, buckets / 2)");
    }

    /// <summary>
    /// Scores computed by the hashing kernels (every entry of every round), as a fraction of B·nh·Tq·Tk.
    /// </summary>
    public static double ComputedScoreFraction(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, LshOptions options, ReadOnlySpan<float> rotations)
    {
        ValidateInputs(q, k, k, keyLengths, shape, options, rotations);
        long computed = 0;
        fixed (float* pq = q, pk = k, pr = rotations)
        {
            var scratch = HeadScratch.Current;
            for (int bh = 0; bh < shape.BatchHeads; bh++)
            {
                int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
                for (int round = 0; round < options.Rounds; round++)
                {
                    var rounds = new RoundOrder(scratch, pq, pk, pr, bh, round, shape, options);
                    for (int slot = 0; slot < shape.QueryLength; slot++)
                        computed += rounds.Candidates(slot, keyLength, out _);
                }
            }
        }
        return computed / ((double)shape.BatchHeads * shape.QueryLength * shape.KeyLength);
    }

    /// <summary>
    /// One round's sorted orders of one head, and the candidate keys of a query slot. Lives on the stack and
    /// points into per-thread scratch.
    /// </summary>
    private readonly ref struct RoundOrder
    {
        private readonly int[] _queryOrder, _keyOrder, _keys;
        private readonly int _chunks, _chunkSize, _tq, _tk, _offset;
        private readonly AttentionShape _shape;
        private readonly bool _excludeSelf;

        public RoundOrder(HeadScratch scratch, float* q, float* k, float* rotations, int bh, int round, in AttentionShape shape, in LshOptions options)
        {
            _shape = shape;
            _tq = shape.QueryLength; _tk = shape.KeyLength; _offset = _tk - _tq;
            _chunkSize = options.ChunkSize;
            _chunks = (_tq + _chunkSize - 1) / _chunkSize;
            _excludeSelf = options.ExcludeSelf;
            int hs = shape.HeadSize, half = options.Buckets / 2;
            scratch.Prepare(_tq, _tk, options.Buckets, half, 2 * ((_tk + _chunks - 1) / _chunks + 1));
            float* rotation = rotations + (nint)round * hs * half;
            _queryOrder = scratch.QueryOrder;
            _keyOrder = scratch.KeyOrder;
            _keys = scratch.Keys;
            SortByBucket(q + (nint)bh * _tq * hs, _tq, hs, rotation, half, scratch, _queryOrder);
            SortByBucket(k + (nint)bh * _tk * hs, _tk, hs, rotation, half, scratch, _keyOrder);
        }

        /// <summary>The query (original position) at sorted slot <paramref name="slot"/>.</summary>
        public int QueryAt(int slot) => _queryOrder[slot];

        /// <summary>
        /// Keys the query at <paramref name="slot"/> attends to in this round (original positions, sorted order)
        /// into <paramref name="keys"/>; returns their count.
        /// </summary>
        public int Candidates(int slot, int keyLength, out int[] keys)
        {
            keys = _keys;
            int i = _queryOrder[slot], chunk = slot / _chunkSize;
            int from = KeyChunkStart(Math.Max(chunk - 1, 0)), to = KeyChunkStart(chunk + 1);
            int visible = _shape.VisibleKeys(i, keyLength), self = i + _offset, count = 0;
            bool sawSelf = false;
            for (int s = from; s < to; s++)
            {
                int j = _keyOrder[s];
                if (j >= visible) continue;
                if (_excludeSelf && j == self) { sawSelf = true; continue; }
                keys[count++] = j;
            }
            if (count == 0 && sawSelf) keys[count++] = self; // a query that sees nothing else attends to itself
            return count;
        }

        private int KeyChunkStart(int chunk) => (int)((long)Math.Min(chunk, _chunks) * _tk / _chunks);

        /// <summary>order = positions [0, n) sorted by (bucket, position): a stable counting sort.</summary>
        private static void SortByBucket(float* x, int n, int hs, float* rotation, int half, HeadScratch scratch, int[] order)
        {
            var buckets = scratch.Buckets;
            var counts = scratch.Counts;
            float* projection = scratch.Projection;
            Array.Clear(counts, 0, 2 * half + 1);
            for (int p = 0; p < n; p++)
            {
                // projection (half) = x_p (hs) · R (hs, half); bucket = argmax over [projection, −projection].
                new Span<float>(projection, half).Clear();
                float* row = x + (nint)p * hs;
                for (int c = 0; c < hs; c++) SparseRowMath.AddScaled(projection, rotation + (nint)c * half, half, row[c]);
                int best = 0;
                float bestValue = projection[0];
                for (int b = 1; b < 2 * half; b++)
                {
                    float value = b < half ? projection[b] : -projection[b - half];
                    if (value > bestValue) { bestValue = value; best = b; }
                }
                buckets[p] = best;
                counts[best + 1]++;
            }
            for (int b = 0; b < 2 * half; b++) counts[b + 1] += counts[b];
            for (int p = 0; p < n; p++) order[counts[buckets[p]]++] = p;
        }
    }

    /// <summary>Per-thread buffers of one head: orders, buckets, the candidate list and per-row softmax state.</summary>
    private sealed class HeadScratch
    {
        [ThreadStatic] private static HeadScratch? t_current;
        public static HeadScratch Current => t_current ??= new HeadScratch();

        public int[] QueryOrder = [], KeyOrder = [], Keys = [], Buckets = [], Counts = [];
        private readonly AttentionScratch _projection = new(Scratch);
        public readonly AttentionScratch Rows = new(Scratch), Output = new(Scratch);
        public float* Projection;

        public void Prepare(int tq, int tk, int buckets, int half, int candidates)
        {
            Grow(ref QueryOrder, tq);
            Grow(ref KeyOrder, tk);
            Grow(ref Buckets, Math.Max(tq, tk));
            Grow(ref Counts, buckets + 1);
            Grow(ref Keys, candidates);
            Projection = _projection.Get(half);
        }

        private static void Grow(ref int[] array, int size)
        {
            if (array.Length < size) array = new int[size];
        }
    }
}
