namespace Sharpformer.Kernels;

/// <summary>
/// Exact attention in tiles with an online softmax (the FlashAttention-2 scheme): softmax(Q·Kᵀ·scale + mask)·V
/// without ever holding the Tq×Tk score matrix. Extra memory is O(T·hs): a transposed copy of K, per-thread
/// tiles, and the per-row log-sum-exp that the backward pass uses to recompute probabilities.
/// <para>Tiles that the causal or padding mask hides entirely are skipped, so causal attention costs about half.
/// Results are bit-identical for any thread count: every output element is summed in a fixed order by a
/// single work item.</para>
/// </summary>
internal static unsafe partial class FlashAttention
{
    /// <summary>Query rows per tile: the height of one score block.</summary>
    public const int QueryTile = 64;

    /// <summary>
    /// Query rows per forward work item (several tiles): each key and value tile is fetched once for all of
    /// them, so at long T, where a head's K and V no longer fit in L2, the traffic from L3 drops by this factor
    /// over <see cref="QueryTile"/>.
    /// </summary>
    public const int ForwardRows = 4 * QueryTile;

    /// <summary>Keys per tile: the width of one score block.</summary>
    public const int KeyTile = 64;

    /// <summary>Scratch memory the forward pass holds on all threads (transposed K, padded V, tiles).</summary>
    public static AttentionScratchCounter ForwardScratch { get; } = new();

    /// <summary>Scratch memory the backward pass holds on all threads (one head's packed operands and dQ per thread, tiles).</summary>
    public static AttentionScratchCounter BackwardScratch { get; } = new();

    /// <summary>
    /// Fraction of the Tq×Tk score matrix the forward pass computes (every query tile computes the scores
    /// of all its rows up to the last key its last row sees): 1 without masks, about ½ + tile/(2T) when causal.
    /// </summary>
    public static double ComputedScoreFraction(ReadOnlySpan<int> keyLengths, AttentionShape shape)
    {
        shape.Validate(keyLengths);
        double computed = 0;
        for (int b = 0; b < shape.Batch; b++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, b);
            for (int q0 = 0; q0 < shape.QueryLength; q0 += QueryTile)
            {
                int rows = Math.Min(QueryTile, shape.QueryLength - q0);
                int keyEnd = shape.VisibleKeys(q0 + rows - 1, keyLength);
                computed += (double)rows * keyEnd;
            }
        }
        return computed / ((double)shape.Batch * shape.QueryLength * shape.KeyLength);
    }

    private static void ValidateInputs(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<int> keyLengths, in AttentionShape shape)
    {
        shape.Validate(keyLengths);
        shape.RequireQuery(q.Length, nameof(q));
        shape.RequireKey(k.Length, nameof(k));
        shape.RequireKey(v.Length, nameof(v));
    }

    /// <summary>Copies keyLengths (or Tk for every batch item) into a reusable array.</summary>
    internal static int[] CopyKeyLengths(ref int[] target, ReadOnlySpan<int> keyLengths, in AttentionShape shape)
    {
        if (target.Length < shape.Batch) target = new int[shape.Batch];
        for (int b = 0; b < shape.Batch; b++) target[b] = shape.KeyLengthOf(keyLengths, b);
        return target;
    }
}
