using Sharpformer.Autograd;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Attention;

/// <summary>
/// What an attention layer reports to a tape's observer: Q, K, V and, computed here by the definition because
/// the fused kernels never form them as separate steps, the scores RW = Q·Kᵀ/√hs and the weights W = softmax(RW)
/// under the same mask rule as the kernels (<see cref="AttentionShape.VisibleKeys"/>). For an approximate
/// variant these are exact attention's weights on the same Q and K, beside the variant's own output.
/// Costs nothing when the tape has no observer.
/// </summary>
internal static class AttentionProbe
{
    /// <summary>Reports Q, K, V, RW and W under the given names; does nothing without an observer.</summary>
    // q: (B, nh, Tq, hs); k, v: (B, nh, Tk, hs)
    public static void Report(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask,
        string queryName, string keyName, string valueName, string scoresName, string weightsName)
    {
        if (tape.Observer == null) return;
        tape.Observe(queryName, q);
        tape.Observe(keyName, k);
        tape.Observe(valueName, v);
        var (scores, weights) = ScoresAndWeights(q.Value, k.Value, mask, headSize: v.Dim(3));
        tape.Observe(scoresName, scores);
        tape.Observe(weightsName, weights);
    }

    /// <summary>
    /// RW = Q·Kᵀ/√hs (B, nh, Tq, Tk) with every key a query may not see set to −∞, and W = softmax(RW) row by row
    /// (a row that sees no key is all zeros), accumulated in double precision. <paramref name="headSize"/> is the
    /// heads' value width hs, which is also Q's and K's except in merged query–key attention (there C).
    /// </summary>
    public static (Tensor Scores, Tensor Weights) ScoresAndWeights(Tensor q, Tensor k, AttentionMask mask, int headSize)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(mask);
        if (q.Rank != 4 || k.Rank != 4 || q.Dim(0) != k.Dim(0) || q.Dim(1) != k.Dim(1) || q.Dim(3) != k.Dim(3))
            throw new ArgumentException($"attention probe: q {ShapeOf.Format(q.Shape)} and k {ShapeOf.Format(k.Shape)} must be (B, nh, Tq, hs) and (B, nh, Tk, hs).");
        int batch = q.Dim(0), heads = q.Dim(1), tq = q.Dim(2), tk = k.Dim(2), width = q.Dim(3);
        var shape = AttentionShape.Create(batch, heads, tq, tk, headSize, mask.Causal);
        var lengths = mask.KeyLengths ?? [];
        shape.Validate(lengths);
        var scores = new Tensor(batch, heads, tq, tk);
        var weights = new Tensor(batch, heads, tq, tk);
        var qs = q.Span; var ks = k.Span; var rw = scores.Span; var w = weights.Span;
        var row = new double[tk];
        for (int bh = 0; bh < batch * heads; bh++)
        {
            int keyLength = shape.KeyLengthOf(lengths, bh / heads);
            for (int i = 0; i < tq; i++)
            {
                int visible = shape.VisibleKeys(i, keyLength), at = (bh * tq + i) * tk;
                double max = double.NegativeInfinity;
                for (int j = 0; j < tk; j++)
                {
                    if (j >= visible) { rw[at + j] = float.NegativeInfinity; continue; }
                    double dot = 0;
                    for (int c = 0; c < width; c++) dot += (double)qs[(bh * tq + i) * width + c] * ks[(bh * tk + j) * width + c];
                    row[j] = dot * shape.Scale;
                    rw[at + j] = (float)row[j];
                    max = Math.Max(max, row[j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) sum += row[j] = Math.Exp(row[j] - max);
                for (int j = 0; j < tk; j++) w[at + j] = j < visible ? (float)(row[j] / sum) : 0f;
            }
        }
        return (scores, weights);
    }
}
