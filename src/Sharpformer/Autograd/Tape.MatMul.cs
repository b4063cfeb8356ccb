using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>
    /// Batched matrix product op(A)·op(B). A is (..., M, K) — or (..., K, M) when <paramref name="transA"/>;
    /// B is (..., K, N) with the same leading dims, or a single (K, N) matrix shared by the whole batch
    /// (either transposed when <paramref name="transB"/>). Result: (..., M, N).
    /// </summary>
    public Variable MatMul(Variable a, Variable b, bool transA = false, bool transB = false)
    {
        if (a.Value.Rank < 2 || b.Value.Rank < 2)
            throw new ArgumentException($"matmul: operands need rank ≥ 2, got {ShapeOf.Format(a.Shape)} and {ShapeOf.Format(b.Shape)}.");
        int m = transA ? a.Dim(-1) : a.Dim(-2), k = transA ? a.Dim(-2) : a.Dim(-1);
        int kb = transB ? b.Dim(-1) : b.Dim(-2), n = transB ? b.Dim(-2) : b.Dim(-1);
        bool shared = b.Value.Rank == 2;
        if (k != kb || (!shared && !a.Shape.AsSpan(0, a.Value.Rank - 2).SequenceEqual(b.Shape.AsSpan(0, b.Value.Rank - 2))))
            throw new ArgumentException($"matmul: shapes {ShapeOf.Format(a.Shape)}{(transA ? "ᵀ" : "")} and {ShapeOf.Format(b.Shape)}{(transB ? "ᵀ" : "")} do not fit (inner {k} vs {kb}, batch dims must match or B be 2-D).");
        int batch = a.Value.Size / (m * k);
        int[] shape = [.. a.Shape[..^2], m, n];
        var c = Result(shape, "matmul", a, b);
        int lda = a.Dim(-1), ldb = b.Dim(-1);
        long strideB = shared ? 0 : (long)k * n;
        Gemm.MultiplyBatched(batch, transA, transB, m, n, k, a.Value.Span, lda, (long)m * k, b.Value.Span, ldb, strideB, c.Value.Span, n, (long)m * n);

        Record(c, () =>
        {
            var dC = c.Grad!.Span;
            if (a.RequiresGrad)
            {
                // dop(A) = dC·op(B)ᵀ; when A is stored transposed, dA = op(B)·dCᵀ.
                var dA = GradForWrite(a, out bool accumulate).Span;
                float beta = accumulate ? 1f : 0f;
                if (!transA)
                    Gemm.MultiplyBatched(batch, false, !transB, m, k, n, dC, n, (long)m * n, b.Value.Span, ldb, strideB, dA, k, (long)m * k, beta: beta);
                else
                    Gemm.MultiplyBatched(batch, transB, true, k, m, n, b.Value.Span, ldb, strideB, dC, n, (long)m * n, dA, m, (long)m * k, beta: beta);
            }
            if (b.RequiresGrad)
            {
                // dop(B) = op(A)ᵀ·dC; when B is stored transposed, dB = dCᵀ·op(A).
                var dB = GradOf(b).Span;
                if (shared && !transA)
                {
                    // Shared B: the batch folds into the rows of A and dC, one product sums over all of it.
                    int rows = batch * m;
                    if (!transB) Gemm.Multiply(true, false, k, n, rows, a.Value.Span, lda, dC, n, dB, n, beta: 1f);
                    else Gemm.Multiply(true, false, n, k, rows, dC, n, a.Value.Span, lda, dB, k, beta: 1f);
                }
                else if (shared)
                {
                    for (int i = 0; i < batch; i++)
                        AccumulateDB(a.Value.Span[(i * m * k)..], dC[(i * m * n)..], dB, 1, 0);
                }
                else AccumulateDB(a.Value.Span, dC, dB, batch, (long)k * n);
            }

            void AccumulateDB(ReadOnlySpan<float> aSpan, ReadOnlySpan<float> dCSpan, Span<float> dBSpan, int count, long strideDB)
            {
                if (!transB)
                    Gemm.MultiplyBatched(count, !transA, false, k, n, m, aSpan, lda, (long)m * k, dCSpan, n, (long)m * n, dBSpan, n, strideDB, beta: 1f);
                else
                    Gemm.MultiplyBatched(count, true, transA, n, k, m, dCSpan, n, (long)m * n, aSpan, lda, (long)m * k, dBSpan, k, strideDB, beta: 1f);
            }
        });
        return c;
    }

    /// <summary>
    /// A fully connected layer: y = x·Wᵀ + b, with x (..., in), W (out, in) as PyTorch stores it, b (out) or null.
    /// </summary>
    public Variable Linear(Variable x, Variable weight, Variable? bias = null)
    {
        int outDim = weight.Dim(0), inDim = weight.Dim(1);
        if (weight.Value.Rank != 2 || x.Dim(-1) != inDim || (bias != null && (bias.Value.Rank != 1 || bias.Dim(0) != outDim)))
            throw new ArgumentException($"linear: input {ShapeOf.Format(x.Shape)} and weight {ShapeOf.Format(weight.Shape)}" +
                (bias != null ? $" and bias {ShapeOf.Format(bias.Shape)}" : "") + $" do not fit (expected input (..., {inDim})).");
        int rows = ShapeOf.Rows(x.Shape);
        int[] shape = [.. x.Shape[..^1], outDim];
        var y = bias == null ? Result(shape, "linear", x, weight) : Result(shape, "linear", x, weight, bias);
        var ys = y.Value.Span;
        if (bias != null)
            for (int r = 0; r < rows; r++) bias.Value.Span.CopyTo(ys.Slice(r * outDim, outDim));
        // (rows, in)·(out, in)ᵀ -> (rows, out)
        if (KeepsRowsApart)
            Gemm.MultiplyRowsApart(true, rows, outDim, inDim, x.Value.Span, inDim, weight.Value.Span, inDim, ys, outDim, beta: bias == null ? 0f : 1f);
        else
            Gemm.Multiply(false, true, rows, outDim, inDim, x.Value.Span, inDim, weight.Value.Span, inDim, ys, outDim, beta: bias == null ? 0f : 1f);

        Record(y, () =>
        {
            var dY = y.Grad!.Span;
            if (x.RequiresGrad) // (rows, out)·(out, in) -> (rows, in)
            {
                var dX = GradForWrite(x, out bool accumulate);
                Gemm.Multiply(false, false, rows, inDim, outDim, dY, outDim, weight.Value.Span, inDim, dX.Span, inDim, beta: accumulate ? 1f : 0f);
            }
            if (weight.RequiresGrad) // (rows, out)ᵀ·(rows, in) -> (out, in)
                Gemm.Multiply(true, false, outDim, inDim, rows, dY, outDim, x.Value.Span, inDim, GradOf(weight).Span, inDim, beta: 1f);
            if (bias != null && bias.RequiresGrad)
                SumRowsInto(dY, rows, outDim, GradOf(bias).Span);
        });
        return y;
    }

    /// <summary>Adds the column sums of a (rows, n) matrix into <paramref name="into"/>, in a thread-independent order.</summary>
    private void SumRowsInto(ReadOnlySpan<float> m, int rows, int n, Span<float> into)
    {
        for (int r = 0; r < rows; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(into, m.Slice(r * n, n), into);
    }
}
