using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    // Patterns lent to this tape's ops until Reset: a backward pass reads the pattern its own forward chose, so
    // every call that chooses tiles from the data needs one of its own; after Reset they go back to a shared pool,
    // so the next step (on this tape or a new one) rebuilds them in place instead of allocating.
    private const int MaxPooledPatterns = 256;
    private static readonly Stack<BlockSparsePattern> FreePatterns = new();
    private readonly List<BlockSparsePattern> _patterns = [];

    /// <summary>A block-sparse pattern that belongs to this tape until <see cref="Reset"/>; build it before use.</summary>
    internal BlockSparsePattern BorrowPattern()
    {
        BlockSparsePattern? pattern;
        lock (FreePatterns) FreePatterns.TryPop(out pattern);
        pattern ??= new BlockSparsePattern();
        _patterns.Add(pattern);
        return pattern;
    }

    private void ReturnPatterns()
    {
        lock (FreePatterns)
            foreach (var pattern in _patterns)
                if (FreePatterns.Count < MaxPooledPatterns) FreePatterns.Push(pattern);
        _patterns.Clear();
    }

    /// <summary>
    /// Attention restricted to a block-sparse pattern, as one op with a fused backward. q: (B, nh, Tq, hs);
    /// k, v: (B, nh, Tk, hs) -> (B, nh, Tq, hs). The pattern is read again by the backward pass, so it must
    /// not be rebuilt until then. The pattern itself is a constant: no gradient flows through its choice.
    /// </summary>
    public Variable SparseAttention(Variable q, Variable k, Variable v, bool causal, int[]? keyLengths, BlockSparsePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (q.Value.Rank != 4 || k.Value.Rank != 4 || !ShapeOf.Equal(k.Shape, v.Shape)
            || q.Dim(0) != k.Dim(0) || q.Dim(1) != k.Dim(1) || q.Dim(3) != k.Dim(3))
            throw new ArgumentException($"sparse attention: q {ShapeOf.Format(q.Shape)}, k {ShapeOf.Format(k.Shape)} and v {ShapeOf.Format(v.Shape)} must be (B, nh, Tq, hs) and (B, nh, Tk, hs).");
        var shape = AttentionShape.Create(q.Dim(0), q.Dim(1), q.Dim(2), k.Dim(2), q.Dim(3), causal);
        var lengths = keyLengths ?? [];
        var o = Result(q.Shape, "sparse_attention", q, k, v);
        var lse = Borrow(shape.BatchHeads, shape.QueryLength); // (B·nh, Tq)
        Kernels.BlockSparseAttention.Forward(q.Value.Span, k.Value.Span, v.Value.Span, lengths, shape, pattern, o.Value.Span, lse.Span);
        AttentionLogSumExps?.Add(lse.Clone().Reshape(q.Dim(0), q.Dim(1), shape.QueryLength));
        Record(o, () =>
        {
            var (dQ, addQ) = OverwritableGrad(q);
            var (dK, addK) = OverwritableGrad(k);
            var (dV, addV) = OverwritableGrad(v);
            Kernels.BlockSparseAttention.Backward(q.Value.Span, k.Value.Span, v.Value.Span, o.Value.Span, lse.Span, o.Grad!.Span,
                lengths, shape, pattern, dQ.Span, dK.Span, dV.Span);
            if (addQ) System.Numerics.Tensors.TensorPrimitives.Add(GradOf(q).Span, dQ.Span, GradOf(q).Span);
            if (addK) System.Numerics.Tensors.TensorPrimitives.Add(GradOf(k).Span, dK.Span, GradOf(k).Span);
            if (addV) System.Numerics.Tensors.TensorPrimitives.Add(GradOf(v).Span, dV.Span, GradOf(v).Span);
            ReleaseScratch(dQ, q);
            ReleaseScratch(dK, k);
            ReleaseScratch(dV, v);
            Release(lse);
        });
        return o;
    }
}
