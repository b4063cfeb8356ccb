namespace Sharpformer.Kernels;

/// <summary>
/// Attention restricted to a <see cref="BlockSparsePattern"/>: softmax over the scores the pattern lets through
/// (on top of the causal and padding masks), computed tile by tile with an online softmax so that only the
/// visited key tiles are ever touched. The forward pass saves each row's log-sum-exp; the backward pass
/// recomputes the visited tiles from it. Work and memory grow with the number of visited tiles, not with Tq·Tk.
/// <para>Shared by the sliding-window (with global and random tiles) and the top-k block variants. A row whose
/// pattern lets no key through outputs zeros, has lse = −∞ and receives zero gradients. Results do not depend on
/// the thread count: every output element is summed in a fixed order by one work item.</para>
/// </summary>
public static unsafe partial class BlockSparseAttention
{
    /// <summary>Scratch memory held by the block-sparse kernels on all threads.</summary>
    public static AttentionScratchCounter Scratch { get; } = new();

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
    /// Scaled scores of query row <paramref name="qRow"/> against the keys [j0, j1) of one tile into
    /// <paramref name="scores"/>[0, j1 − j0); a score the pattern hides becomes −∞. Returns the largest score.
    /// </summary>
    private static float TileScores(BlockSparsePattern pattern, int entry, int i, float* qRow, float* k, int j0, int j1, int hs,
        float scale, float* scores)
    {
        bool whole = pattern.IsWhole(entry);
        float max = float.NegativeInfinity;
        for (int j = j0; j < j1; j++)
        {
            float s = whole || pattern.Allowed(i, j)
                ? SparseRowMath.Dot(qRow, k + (nint)j * hs, hs) * scale
                : float.NegativeInfinity;
            scores[j - j0] = s;
            if (s > max) max = s;
        }
        return max;
    }
}
