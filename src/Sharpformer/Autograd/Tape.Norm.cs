using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>Layer normalisation over the last dim; <paramref name="beta"/> may be null (bias-free, as nanoGPT's bias=False).</summary>
    public Variable LayerNorm(Variable x, Variable gamma, Variable? beta, float eps = 1e-5f)
    {
        int c = x.Dim(-1);
        if (gamma.Value.Rank != 1 || gamma.Dim(0) != c || (beta != null && !ShapeOf.Equal(beta.Shape, gamma.Shape)))
            throw new ArgumentException($"layer_norm: input {ShapeOf.Format(x.Shape)} needs weight ({c})" +
                $"{(beta != null ? " and bias" : "")}, got {ShapeOf.Format(gamma.Shape)}{(beta != null ? " and " + ShapeOf.Format(beta.Shape) : "")}.");
        int rows = ShapeOf.Rows(x.Shape);
        var y = beta == null ? Result(x.Shape, "layer_norm", x, gamma) : Result(x.Shape, "layer_norm", x, gamma, beta);
        var mean = Borrow(rows);
        var rstd = Borrow(rows);
        RowBlocks.For(rows, 8L * c, (s, e) =>
            Kernels.LayerNorm.Forward(x.Value.Span[(s * c)..(e * c)], gamma.Value.Span, beta == null ? default : beta.Value.Span,
                y.Value.Span[(s * c)..(e * c)], mean.Span[s..e], rstd.Span[s..e], e - s, c, eps));

        Record(y, () =>
        {
            // Each row block writes its own partial dγ/dβ; the blocks are then summed in order (thread-independent).
            int blocks = RowBlocks.Count(rows);
            var partGamma = BorrowZeroed(blocks, c);
            var partBeta = BorrowZeroed(blocks, c);
            var dX = GradForWrite(x, out bool accumulate);
            RowBlocks.For(rows, 12L * c, (s, e) =>
            {
                int b = s / RowBlocks.RowsPerBlock;
                Kernels.LayerNorm.Backward(x.Value.Span[(s * c)..(e * c)], gamma.Value.Span, mean.Span[s..e], rstd.Span[s..e],
                    y.Grad!.Span[(s * c)..(e * c)], dX.Span[(s * c)..(e * c)],
                    partGamma.Span.Slice(b * c, c), beta == null ? default : partBeta.Span.Slice(b * c, c), e - s, c, accumulate);
            });
            if (gamma.RequiresGrad) SumRowsInto(partGamma.Span, blocks, c, GradOf(gamma).Span);
            if (beta != null && beta.RequiresGrad) SumRowsInto(partBeta.Span, blocks, c, GradOf(beta).Span);
        });
        return y;
    }
}
