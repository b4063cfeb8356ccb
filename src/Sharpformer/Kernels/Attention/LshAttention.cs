namespace Sharpformer.Kernels;

/// <summary>
/// Options of hashing attention: <see cref="Buckets"/> (even) angular LSH buckets from random rotations,
/// <see cref="ChunkSize"/> queries per chunk of the sorted order, <see cref="Rounds"/> independent hashings, and
/// whether a query skips the key at its own position unless it sees nothing else in that round (needed when
/// keys are the normalised queries, whose score with themselves would dominate).
/// </summary>
internal readonly record struct LshOptions(int Buckets, int ChunkSize, int Rounds, bool ExcludeSelf)
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
/// assignment is a constant) and recomputes the entries.
/// <para>Each (round, chunk) is one dense tile: its queries against the keys of its two key chunks, computed
/// with <see cref="AttentionTileGemm"/> products on per-round packed keys and values; entries the query does
/// not attend to are −∞ in the score tile. Parallel over batch·head: a work item owns one head and sums in
/// a fixed order, so the bits do not depend on the thread count.</para>
/// </summary>
internal static unsafe partial class LshAttention
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
    /// Entries of the softmax (every kept entry of every round), as a fraction of B·nh·Tq·Tk.
    /// </summary>
    public static double ComputedScoreFraction(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, LshOptions options, ReadOnlySpan<float> rotations)
    {
        ValidateInputs(q, k, k, keyLengths, shape, options, rotations);
        long computed = 0;
        int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
        fixed (float* pq = q, pk = k, pr = rotations)
        {
            var scratch = HeadScratch.Current;
            for (int bh = 0; bh < shape.BatchHeads; bh++)
            {
                int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
                for (int round = 0; round < options.Rounds; round++)
                {
                    var order = new RoundOrder(Simd.Best, scratch, pq + (nint)bh * tq * hs, pk + (nint)bh * tk * hs, pr, round, shape, options);
                    float* row = scratch.Scores.Get(order.TileWidth);
                    for (int m = 0; m < order.Chunks; m++)
                    {
                        var tile = order.Tile(m);
                        for (int slot = tile.FirstQuery; slot < tile.EndQuery; slot++)
                        {
                            new Span<float>(row, tile.Width).Clear();
                            computed += order.MaskRow(row, tile, order.QueryOrder[slot], keyLength);
                        }
                    }
                }
            }
        }
        return computed / ((double)shape.BatchHeads * tq * tk);
    }
}
