using Sharpformer.Kernels;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>
    /// Fused softmax + cross-entropy: logits (..., V) against integer targets (one per row), mean over the
    /// rows whose target is not <paramref name="ignoreIndex"/>, with optional label smoothing. Returns a
    /// scalar (1). A batch in which every target is ignored has loss 0 and no gradient.
    /// </summary>
    public Variable CrossEntropy(Variable logits, ReadOnlySpan<int> targets, int ignoreIndex = -1, float labelSmoothing = 0f)
    {
        int v = logits.Dim(-1), rows = Tensors.ShapeOf.Rows(logits.Shape);
        if (targets.Length != rows)
            throw new ArgumentException($"cross_entropy: {targets.Length} targets for logits {Tensors.ShapeOf.Format(logits.Shape)} ({rows} rows).");
        if (labelSmoothing < 0 || labelSmoothing >= 1)
            throw new ArgumentException($"cross_entropy: label smoothing must be in [0, 1), got {labelSmoothing}.");
        var t = targets.ToArray();
        var losses = Borrow(rows);
        var lse = Borrow(rows);
        int counted = 0;
        var blockCounts = new int[RowBlocks.Count(rows)];
        RowBlocks.For(rows, 3L * v, (s, e) => blockCounts[s / RowBlocks.RowsPerBlock] =
            Kernels.CrossEntropy.Forward(logits.Value.Span[(s * v)..(e * v)], t.AsSpan(s, e - s), losses.Span[s..e], lse.Span[s..e], e - s, v, ignoreIndex, labelSmoothing));
        foreach (int n in blockCounts) counted += n;
        var loss = Result([1], "cross_entropy", logits);
        double total = 0;
        foreach (float l in losses.Span) total += l;
        loss.Value.Span[0] = counted == 0 ? 0f : (float)(total / counted);
        Record(loss, () =>
        {
            if (counted == 0) return;
            float scale = loss.Grad!.Span[0] / counted;
            var dLogits = GradOf(logits);
            RowBlocks.For(rows, 3L * v, (s, e) =>
                Kernels.CrossEntropy.Backward(logits.Value.Span[(s * v)..(e * v)], t.AsSpan(s, e - s), lse.Span[s..e],
                    dLogits.Span[(s * v)..(e * v)], e - s, v, ignoreIndex, labelSmoothing, scale));
        });
        return loss;
    }
}
