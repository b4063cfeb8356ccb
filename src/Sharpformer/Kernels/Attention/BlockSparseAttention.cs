namespace Sharpformer.Kernels;

/// <summary>
/// Attention restricted to a <see cref="BlockSparsePattern"/>: softmax over the scores the pattern lets through
/// (on top of the causal and padding masks), computed tile by tile exactly as <see cref="FlashAttention"/> does
/// (tile products, online softmax, a recomputing backward from the saved log-sum-exp) but visiting only the
/// (query tile, key tile) pairs of the pattern. Work and memory grow with the number of visited tiles, not with Tq·Tk.
/// <para>Shared by the sliding-window (with global and random tiles) and the top-k block variants. Any tile size
/// works: key tiles are packed as (hs, tile size rounded up to a whole number of vectors) with zero columns, so
/// sizes that are not a multiple of 16 cost the rounded-up width. A row whose pattern lets no key through outputs
/// zeros, has lse = −∞ and receives zero gradients. Results do not depend on the thread count: every output
/// element is summed in a fixed order by one work item.</para>
/// </summary>
internal static unsafe partial class BlockSparseAttention
{
    /// <summary>Scratch memory the forward pass holds on all threads (transposed K, padded V, tiles).</summary>
    public static AttentionScratchCounter ForwardScratch { get; } = new();

    /// <summary>Scratch memory the backward pass holds on all threads (one head's packed operands and gradient sums per thread, tiles).</summary>
    public static AttentionScratchCounter BackwardScratch { get; } = new();

    private static void ValidateInputs(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<int> keyLengths, in AttentionShape shape, BlockSparsePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        shape.Validate(keyLengths);
        shape.RequireQuery(q.Length, nameof(q));
        shape.RequireKey(k.Length, nameof(k));
        shape.RequireKey(v.Length, nameof(v));
        pattern.RequireFits(shape);
    }

    /// <summary>
    /// For a banded entry: sets to −∞ the scores S (rows, paddedKeys; row stride lds) of query rows
    /// [first, first + rows) against keys from <paramref name="j0"/> that <see cref="BlockSparsePattern.Allowed"/>
    /// rejects. A row keeps the keys within the window of its position and the global keys [0, G); a global row
    /// keeps every key. The causal and padding masks are applied afterwards by the softmax step.
    /// </summary>
    private static void MaskOutsideBand(BlockSparsePattern pattern, int first, int rows, int j0, int paddedKeys, float* s, int lds)
    {
        long offset = pattern.KeyLength - pattern.QueryLength, window = pattern.Window;
        int global = pattern.GlobalTokens;
        int keepPrefix = Math.Clamp(global - j0, 0, paddedKeys);
        for (int r = 0; r < rows; r++)
        {
            long position = first + r + offset;
            if (position < global) continue;
            // Inside the band: |position − j| < window, i.e. j in [position − window + 1, position + window).
            int lo = (int)Math.Clamp(position - window + 1 - j0, 0, paddedKeys);
            int hi = (int)Math.Clamp(position + window - j0, 0, paddedKeys);
            float* row = s + (nint)r * lds;
            for (int c = keepPrefix; c < lo; c++) row[c] = float.NegativeInfinity;
            for (int c = Math.Max(hi, keepPrefix); c < paddedKeys; c++) row[c] = float.NegativeInfinity;
        }
    }

    /// <summary>
    /// Keys of key tile <paramref name="keyTile"/> that a query tile whose rows see keys [0, keyEnd) at most must
    /// compute: [j0, j0 + result) with j0 = keyTile·tile; 0 or less when the masks hide the whole key tile.
    /// </summary>
    private static int TileKeys(int keyTile, int tile, int keyEnd) => Math.Min(tile, keyEnd - keyTile * tile);
}
