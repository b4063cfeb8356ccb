using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

/// <summary>Which exact attention kernel computes softmax(Q·Kᵀ/√hs + mask)·V.</summary>
public enum AttentionKernel   // public: test theories take it as a parameter
{
    /// <summary>Materialises the (B, nh, Tq, Tk) probabilities and keeps them for the backward pass.</summary>
    Full,
    /// <summary>Tiles with an online softmax; keeps only the per-row log-sum-exp (O(T) memory).</summary>
    Flash,
}

/// <summary>The inputs of one attention call: q (B, nh, Tq, hs); k, v (B, nh, Tk, hs).</summary>
internal sealed record AttentionInputs(Tensor Q, Tensor K, Tensor V, bool Causal);

internal sealed partial class Tape
{
    /// <summary>
    /// When set, every attention op runs the materialised kernel and appends a copy of its probabilities,
    /// (B, nh, Tq, Tk), in call order: how attention maps are inspected.
    /// </summary>
    public List<Tensor>? AttentionMaps { get; set; }

    /// <summary>
    /// When set, every attention op whose kernel keeps the row log-sum-exp (flash, block-sparse) appends a
    /// copy of it, (B, nh, Tq), in call order: exp(lse_sparse − lse_exact) is the share of each row's softmax
    /// mass that the scores a sparse kernel computed hold.
    /// </summary>
    public List<Tensor>? AttentionLogSumExps { get; set; }

    /// <summary>
    /// When set, every exact attention op appends copies of its inputs, in call order: how the activations of
    /// a trained model are collected to test approximate attention on.
    /// </summary>
    public List<AttentionInputs>? AttentionInputs { get; set; }

    /// <summary>
    /// Scaled dot-product attention as one op with a fused backward. q: (B, nh, Tq, hs); k, v: (B, nh, Tk, hs)
    /// -> (B, nh, Tq, hs). <paramref name="causal"/> aligns the ends (query i sees keys j ≤ i + Tk − Tq);
    /// <paramref name="keyLengths"/> (one per batch row) hides right padding.
    /// </summary>
    public Variable ScaledDotProductAttention(Variable q, Variable k, Variable v, bool causal, int[]? keyLengths, AttentionKernel kernel)
    {
        if (q.Value.Rank != 4 || k.Value.Rank != 4 || !ShapeOf.Equal(k.Shape, v.Shape)
            || q.Dim(0) != k.Dim(0) || q.Dim(1) != k.Dim(1) || q.Dim(3) != k.Dim(3))
            throw new ArgumentException($"attention: q {ShapeOf.Format(q.Shape)}, k {ShapeOf.Format(k.Shape)} and v {ShapeOf.Format(v.Shape)} must be (B, nh, Tq, hs) and (B, nh, Tk, hs).");
        var shape = AttentionShape.Create(q.Dim(0), q.Dim(1), q.Dim(2), k.Dim(2), q.Dim(3), causal);
        var lengths = keyLengths ?? [];
        var o = Result(q.Shape, "attention", q, k, v);
        AttentionInputs?.Add(new AttentionInputs(q.Value.Clone(), k.Value.Clone(), v.Value.Clone(), causal));
        Tensor saved; // full: probabilities (B·nh, Tq, Tk); flash: log-sum-exp (B·nh, Tq)
        if (AttentionMaps != null) kernel = AttentionKernel.Full;
        if (kernel == AttentionKernel.Full)
        {
            saved = Borrow(shape.BatchHeads, shape.QueryLength, shape.KeyLength);
            FullAttention.Forward(q.Value.Span, k.Value.Span, v.Value.Span, lengths, shape, saved.Span, o.Value.Span);
            AttentionMaps?.Add(saved.Clone().Reshape(q.Dim(0), q.Dim(1), shape.QueryLength, shape.KeyLength));
        }
        else
        {
            saved = Borrow(shape.BatchHeads, shape.QueryLength);
            FlashAttention.Forward(q.Value.Span, k.Value.Span, v.Value.Span, lengths, shape, o.Value.Span, saved.Span);
            AttentionLogSumExps?.Add(saved.Clone().Reshape(q.Dim(0), q.Dim(1), shape.QueryLength));
        }
        Record(o, () =>
        {
            // The kernels overwrite their gradient outputs: write straight into a gradient nobody has
            // touched yet, otherwise into scratch that is then added.
            var (dQ, addQ) = OverwritableGrad(q);
            var (dK, addK) = OverwritableGrad(k);
            var (dV, addV) = OverwritableGrad(v);
            if (kernel == AttentionKernel.Full)
                FullAttention.Backward(q.Value.Span, k.Value.Span, v.Value.Span, saved.Span, o.Grad!.Span, lengths, shape, dQ.Span, dK.Span, dV.Span);
            else
                FlashAttention.Backward(q.Value.Span, k.Value.Span, v.Value.Span, o.Value.Span, saved.Span, o.Grad!.Span, lengths, shape, dQ.Span, dK.Span, dV.Span);
            if (addQ) System.Numerics.Tensors.TensorPrimitives.Add(GradOf(q).Span, dQ.Span, GradOf(q).Span);
            if (addK) System.Numerics.Tensors.TensorPrimitives.Add(GradOf(k).Span, dK.Span, GradOf(k).Span);
            if (addV) System.Numerics.Tensors.TensorPrimitives.Add(GradOf(v).Span, dV.Span, GradOf(v).Span);
            ReleaseScratch(dQ, q);
            ReleaseScratch(dK, k);
            ReleaseScratch(dV, v);
            Release(saved);
        });
        return o;
    }

    /// <summary>A buffer a kernel may overwrite with v's gradient, and whether it must then be added into v.Grad.</summary>
    private (Tensor Buffer, bool MustAdd) OverwritableGrad(Variable v)
    {
        if (!v.RequiresGrad) return (Borrow(v.Shape), false);
        if (v.Grad == null)
        {
            v.Grad = Borrow(v.Shape);
            return (v.Grad, false);
        }
        return (Borrow(v.Shape), true);
    }

    /// <summary>Gives back a buffer from <see cref="OverwritableGrad"/> unless it became v's gradient.</summary>
    private void ReleaseScratch(Tensor buffer, Variable v)
    {
        if (!ReferenceEquals(buffer, v.Grad)) Release(buffer);
    }
}
