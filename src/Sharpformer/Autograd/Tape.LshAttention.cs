using System.Numerics.Tensors;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>
    /// Reformer's hashing attention with shared query-keys: the keys are the queries scaled to unit length,
    /// k̂ⱼ = qⱼ/|qⱼ|, and a query skips its own position unless it sees nothing else. q, k, v: (B, nh, T, hs)
    /// -> (B, nh, T, hs). <paramref name="k"/> is not used (its gradient is zero): it is an input only so that
    /// the variant is a drop-in replacement. Gradients flow through the computed entries and through the
    /// normalisation into q; the bucket assignment is a constant.
    /// </summary>
    public Variable SharedKeyLshAttention(Variable q, Variable k, Variable v, bool causal, int[]? keyLengths, LshOptions options,
        float[] rotations)
    {
        if (q.Value.Rank != 4 || !ShapeOf.Equal(q.Shape, k.Shape) || !ShapeOf.Equal(q.Shape, v.Shape))
            throw new ArgumentException($"LSH attention: q {ShapeOf.Format(q.Shape)}, k {ShapeOf.Format(k.Shape)} and v {ShapeOf.Format(v.Shape)} must all be (B, nh, T, hs) with shared query-keys.");
        var shape = AttentionShape.Create(q.Dim(0), q.Dim(1), q.Dim(2), q.Dim(2), q.Dim(3), causal);
        var lengths = keyLengths ?? [];
        int rows = shape.BatchHeads * shape.QueryLength, hs = shape.HeadSize;
        // k̂ (B·nh, T, hs) = q / |q| row by row; the norms are kept for the backward pass.
        var keys = Borrow(q.Shape);
        var norms = Borrow(rows);
        for (int r = 0; r < rows; r++)
        {
            var row = q.Value.Span.Slice(r * hs, hs);
            float norm = MathF.Max(TensorPrimitives.Norm(row), 1e-6f);
            norms.Span[r] = norm;
            TensorPrimitives.Multiply(row, 1f / norm, keys.Span.Slice(r * hs, hs));
        }
        var o = Result(q.Shape, "lsh_attention", q, k, v);
        var lse = Borrow(shape.BatchHeads, shape.QueryLength); // (B·nh, T)
        LshAttention.Forward(q.Value.Span, keys.Span, v.Value.Span, lengths, shape, options, rotations, o.Value.Span, lse.Span);
        Record(o, () =>
        {
            var dQ = Borrow(q.Shape);
            var dKeys = Borrow(q.Shape);
            var (dV, addV) = OverwritableGrad(v);
            LshAttention.Backward(q.Value.Span, keys.Span, v.Value.Span, o.Value.Span, lse.Span, o.Grad!.Span, lengths, shape, options,
                rotations, dQ.Span, dKeys.Span, dV.Span);
            // Through k̂ = q/|q|: dq += (dk̂ − k̂·(k̂·dk̂)) / |q|.
            for (int r = 0; r < rows; r++)
            {
                var kHat = keys.Span.Slice(r * hs, hs);
                var dKHat = dKeys.Span.Slice(r * hs, hs);
                float along = TensorPrimitives.Dot(kHat, dKHat);
                TensorPrimitives.MultiplyAdd(kHat, -along, dKHat, dKHat);
                TensorPrimitives.MultiplyAdd(dKHat, 1f / norms.Span[r], dQ.Span.Slice(r * hs, hs), dQ.Span.Slice(r * hs, hs));
            }
            if (q.RequiresGrad) TensorPrimitives.Add(GradOf(q).Span, dQ.Span, GradOf(q).Span);
            if (k.RequiresGrad) GradOf(k); // k is unused: its gradient is zero
            if (addV) TensorPrimitives.Add(GradOf(v).Span, dV.Span, GradOf(v).Span);
            ReleaseScratch(dV, v);
            Release(dQ);
            Release(dKeys);
            Release(keys);
            Release(norms);
            Release(lse);
        });
        return o;
    }
}
