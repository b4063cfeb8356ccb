using Sharpformer.Autograd;
using Sharpformer.Kernels;

namespace Sharpformer.Attention;

/// <summary>
/// Speculative block-sparse attention: per query tile, the <paramref name="localBlocks"/> key tiles around the
/// diagonal plus the <paramref name="topBlocks"/> key tiles whose mean key best matches the tile's mean query
/// (q̄·k̄, or with <see cref="TopKEstimate.UpperBound"/> the largest score a key tile's per-channel range allows)
/// are computed exactly; all other scores are skipped (treated as −∞). The choice is made from the
/// current q and k and is a constant for the gradient.
/// </summary>
internal sealed class TopKVariant : IAttentionVariant
{
    public TopKVariant(int topBlocks = 8, int localBlocks = 1, int tileSize = 64, TopKEstimate estimate = TopKEstimate.MeanKey)
    {
        if (topBlocks < 0) throw new ArgumentException($"topBlocks must be at least 0, got {topBlocks}.", nameof(topBlocks));
        if (localBlocks < 0) throw new ArgumentException($"localBlocks must be at least 0, got {localBlocks}.", nameof(localBlocks));
        if (topBlocks + localBlocks < 1) throw new ArgumentException("topBlocks + localBlocks must be at least 1.", nameof(topBlocks));
        if (tileSize < 1) throw new ArgumentException($"tileSize must be at least 1, got {tileSize}.", nameof(tileSize));
        TopBlocks = topBlocks; LocalBlocks = localBlocks; TileSize = tileSize; Estimate = estimate;
    }

    public int TopBlocks { get; }
    public int LocalBlocks { get; }
    public int TileSize { get; }
    public TopKEstimate Estimate { get; }

    public string Name => $"topk:{TopBlocks}:{LocalBlocks}" + (Estimate == TopKEstimate.UpperBound ? ":bound" : "");

    public bool ChoosesFromPastQueries => true;

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask) =>
        Attend(tape, q, k, v, mask, pastQueries: null);

    public Variable ForwardCached(Tape tape, Variable q, Variable k, Variable v, Variable? pastQueries) =>
        Attend(tape, q, k, v, AttentionMask.CausalOnly, pastQueries);

    private Variable Attend(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask, Variable? pastQueries)
    {
        // A pattern per call, lent by the tape: the backward pass of this call reads it after later layers have
        // chosen theirs. Tapes reuse their patterns after Reset, so steps after the first allocate none.
        var pattern = tape.BorrowPattern();
        var shape = AttentionShape.Create(q.Dim(0), q.Dim(1), q.Dim(2), k.Dim(2), q.Dim(3), mask.Causal);
        TopKBlockSelection.Build(pattern, q.Value.Span, k.Value.Span, mask.KeyLengths ?? [], shape, TileSize, TopBlocks, LocalBlocks, Estimate,
            pastQueries is null ? default : pastQueries.Value.Span);
        return tape.SparseAttention(q, k, v, mask.Causal, mask.KeyLengths, pattern);
    }
}
