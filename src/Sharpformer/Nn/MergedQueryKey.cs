using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// The one matrix per head of merged query–key attention, M_h = W_q,h·W_k,hᵀ (C × C), stacked as one projection
/// without bias: (B, T, C) -> (B, T, nh·C), whose head h is the queries X·M_h.
/// </summary>
internal static class MergedQueryKey
{
    /// <summary>
    /// The projection whose M_h is the product of the rows <c>h·hs … (h+1)·hs</c> of <paramref name="wq"/> and
    /// <paramref name="wk"/> (each (C, C), output channels by rows, as a <see cref="Linear"/> stores them). Started
    /// from the usual N(0, 0.02²) draws of W_q and W_k, the merged layer computes at initialisation exactly what the
    /// layer with separate W_q, W_k of the same draws computes (their biases start at zero), so a comparison of the
    /// two begins from the same function and the same scale of scores, and differs only in how it learns.
    /// </summary>
    public static Linear FromProjections(Tensor wq, Tensor wk, int heads)
    {
        if (wq.Rank != 2 || wq.Dim(0) != wq.Dim(1) || !ShapeOf.Equal(wq.Shape, wk.Shape) || wq.Dim(0) % heads != 0)
            throw new ArgumentException($"merged query–key: W_q {ShapeOf.Format(wq.Shape)} and W_k {ShapeOf.Format(wk.Shape)} must both be (C, C) with C a multiple of {heads} heads.");
        int c = wq.Dim(1), hs = c / heads;
        // Row h·C + i, column j holds M_h[j, i] = Σ_d W_q[h·hs + d, j]·W_k[h·hs + d, i], so that x·Wᵀ gives x·M_h.
        var weight = new Tensor(heads * c, c);
        var q = wq.Span; var k = wk.Span; var w = weight.Span;
        for (int h = 0; h < heads; h++)
        for (int i = 0; i < c; i++)
        for (int j = 0; j < c; j++)
        {
            double sum = 0;
            for (int d = h * hs; d < (h + 1) * hs; d++) sum += (double)q[d * c + j] * k[d * c + i];
            w[(h * c + i) * c + j] = (float)sum;
        }
        return new Linear(weight, bias: null);
    }

    /// <summary>A copy of rows [start, start + count) of a (rows, C) matrix: one projection out of a fused one.</summary>
    public static Tensor Rows(Tensor matrix, int start, int count)
    {
        int c = matrix.Dim(1);
        var rows = new Tensor(count, c);
        matrix.Span.Slice(start * c, count * c).CopyTo(rows.Span);
        return rows;
    }
}
