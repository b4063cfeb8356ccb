using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Products with a single row of C (one token at a time in generation): c = alpha·a·op(B) + beta·c.
/// Such a product reads each element of B once, so it is bound by memory, and packing B would only
/// read and write it once more. Here B is read in place: for op(B) = B, row by row into 128 column
/// accumulators; for op(B) = Bᵀ, as one dot product per column of C.
/// Columns are shared out between threads; each column's sum is the same on any thread count.
/// </summary>
internal sealed unsafe class GemmRowVector : IParallelBody
{
    /// <summary>Columns per work item: eight Vector512 accumulators.</summary>
    private const int Chunk = 128;

    [ThreadStatic] private static GemmRowVector? t_job;

    private bool _transB;
    private int _n, _k, _ldb;
    private float* _a, _b, _c;
    private float _alpha, _beta;

    /// <summary>True when <see cref="Multiply"/> handles the product (one row, A contiguous along k, Vector512).</summary>
    public static bool Handles(int m, bool transA, int lda, GemmPath path) =>
        m == 1 && (!transA || lda == 1) && path == GemmPath.Vector512;

    /// <summary>c (1, n) = alpha·a (1, k)·op(B) (k, n) + beta·c, with a contiguous.</summary>
    public static void Multiply(bool transB, int n, int k, float* a, float* b, int ldb, float* c, float alpha, float beta, int threads)
    {
        var job = t_job ??= new GemmRowVector();
        job._transB = transB;
        job._n = n; job._k = k; job._ldb = ldb;
        job._a = a; job._b = b; job._c = c;
        job._alpha = alpha; job._beta = beta;
        int chunks = (n + Chunk - 1) / Chunk;
        Parallelism.For(chunks, job, workPerItem: 2L * Chunk * k, threads);
        job._a = job._b = job._c = null;
    }

    public void Execute(int index)
    {
        int j0 = index * Chunk;
        int cols = Math.Min(Chunk, _n - j0);
        if (_transB) DotColumns(j0, cols);
        else if (cols == Chunk) AccumulateRows(j0);
        else AccumulateRowsScalar(j0, cols);
    }

    // op(B) = Bᵀ: column j of op(B) is row j of the stored B, contiguous along k.
    private void DotColumns(int j0, int cols)
    {
        var a = new ReadOnlySpan<float>(_a, _k);
        for (int j = j0; j < j0 + cols; j++)
            Store(j, TensorPrimitives.Dot(a, new ReadOnlySpan<float>(_b + (long)j * _ldb, _k)));
    }

    // op(B) = B: 128 columns held in eight accumulators while k runs down the rows of B.
    private void AccumulateRows(int j0)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        float* row = _b + j0;
        for (int p = 0; p < _k; p++, row += _ldb)
        {
            var av = Vector512.Create(_a[p]);
            s0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row), s0);
            s1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 48), s3);
            s4 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 64), s4);
            s5 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 80), s5);
            s6 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 96), s6);
            s7 = Vector512.FusedMultiplyAdd(av, Vector512.Load(row + 112), s7);
        }
        float* sums = stackalloc float[Chunk];
        s0.Store(sums); s1.Store(sums + 16); s2.Store(sums + 32); s3.Store(sums + 48);
        s4.Store(sums + 64); s5.Store(sums + 80); s6.Store(sums + 96); s7.Store(sums + 112);
        for (int j = 0; j < Chunk; j++) Store(j0 + j, sums[j]);
    }

    // The last, partial chunk: the same sums in the same order, one column at a time.
    private void AccumulateRowsScalar(int j0, int cols)
    {
        for (int j = j0; j < j0 + cols; j++)
        {
            float sum = 0f;
            for (int p = 0; p < _k; p++) sum = MathF.FusedMultiplyAdd(_a[p], _b[(long)p * _ldb + j], sum);
            Store(j, sum);
        }
    }

    private void Store(int j, float sum) =>
        _c[j] = _beta == 0f ? _alpha * sum : MathF.FusedMultiplyAdd(sum, _alpha, _beta * _c[j]);
}
