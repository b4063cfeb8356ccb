namespace Sharpformer.Kernels;

/// <summary>
/// Materialised attention: P = softmax(Q·Kᵀ·scale + mask) is written out in full, (B·nh, Tq, Tk), and
/// O = P·V. The backward pass reuses the saved P. Memory grows with Tq·Tk, so this is the reference-speed
/// path for short sequences and for inspecting attention maps; <see cref="FlashAttention"/> is the long-sequence path.
/// <para>Masked probabilities are exactly 0; a row that sees no key has P = 0, O = 0 and zero gradients.</para>
/// </summary>
internal static unsafe partial class FullAttention
{
    /// <summary>Query rows per work item of the forward pass.</summary>
    public const int QueryTile = 64;

    /// <summary>Keys per score block.</summary>
    public const int KeyTile = 64;

    /// <summary>Scratch memory the forward pass holds on all threads (transposed K, padded V, tiles).</summary>
    public static AttentionScratchCounter ForwardScratch { get; } = new();

    /// <summary>Scratch memory the backward pass holds on all threads (one head's packed operands and dK, dV sums per thread).</summary>
    public static AttentionScratchCounter BackwardScratch { get; } = new();

    private static void ValidateInputs(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<int> keyLengths, in AttentionShape shape)
    {
        shape.Validate(keyLengths);
        shape.RequireQuery(q.Length, nameof(q));
        shape.RequireKey(k.Length, nameof(k));
        shape.RequireKey(v.Length, nameof(v));
    }
}
