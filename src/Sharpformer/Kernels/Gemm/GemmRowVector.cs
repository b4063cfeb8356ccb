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
    /// <summary>Accumulator vectors per work item: with one broadcast A value and a B load each, eight cover the FMA latency.</summary>
    private const int Accumulators = 8;

    /// <summary>The most columns of a work item (eight Vector512 accumulators), for the stack buffer of sums.</summary>
    private const int MaxChunk = 128;

    [ThreadStatic] private static GemmRowVector? t_job;

    private bool _transB;
    private SimdWidth _width;
    private int _n, _k, _ldb, _chunk;
    private float* _a, _b, _c;
    private float _alpha, _beta;

    /// <summary>True when <see cref="Multiply"/> handles the product (one row, A contiguous along k, a vector width).</summary>
    public static bool Handles(int m, bool transA, int lda, SimdWidth width) =>
        m == 1 && (!transA || lda == 1) && width != SimdWidth.Scalar;

    /// <summary>c (1, n) = alpha·a (1, k)·op(B) (k, n) + beta·c, with a contiguous.</summary>
    public static void Multiply(SimdWidth width, bool transB, int n, int k, float* a, float* b, int ldb, float* c, float alpha, float beta, int threads)
    {
        var job = t_job ??= new GemmRowVector();
        job._transB = transB;
        job._width = width;
        job._chunk = Accumulators * (int)width / 32;

        job._n = n; job._k = k; job._ldb = ldb;
        job._a = a; job._b = b; job._c = c;
        job._alpha = alpha; job._beta = beta;
        int chunks = (n + job._chunk - 1) / job._chunk;
        Parallelism.For(chunks, job, workPerItem: 2L * job._chunk * k, threads);
        job._a = job._b = job._c = null;
    }

    public void Execute(int index)
    {
        int j0 = index * _chunk;
        int cols = Math.Min(_chunk, _n - j0);
        if (_transB) DotColumns(j0, cols);
        else if (cols < _chunk) AccumulateRowsScalar(j0, cols);
        else
        {
            float* sums = stackalloc float[MaxChunk];
            if (_width == SimdWidth.V512) AccumulateRows512(j0, sums);
            else if (_width == SimdWidth.V256) AccumulateRows256(j0, sums);
            else AccumulateRows128(j0, sums);
            for (int j = 0; j < _chunk; j++) Store(j0 + j, sums[j]);
        }
    }

    // op(B) = Bᵀ: column j of op(B) is row j of the stored B, contiguous along k.
    private void DotColumns(int j0, int cols)
    {
        var a = new ReadOnlySpan<float>(_a, _k);
        for (int j = j0; j < j0 + cols; j++)
            Store(j, TensorPrimitives.Dot(a, new ReadOnlySpan<float>(_b + (long)j * _ldb, _k)));
    }

    // op(B) = B: a chunk of columns held in eight accumulators while k runs down the rows of B; every column
    // is the same chain of FMAs at every width, so the widths (and the scalar tail) agree bit for bit.
    private void AccumulateRows512(int j0, float* sums)
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
        s0.Store(sums); s1.Store(sums + 16); s2.Store(sums + 32); s3.Store(sums + 48);
        s4.Store(sums + 64); s5.Store(sums + 80); s6.Store(sums + 96); s7.Store(sums + 112);
    }

    private void AccumulateRows256(int j0, float* sums)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        float* row = _b + j0;
        for (int p = 0; p < _k; p++, row += _ldb)
        {
            var av = Vector256.Create(_a[p]);
            s0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row), s0);
            s1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 8), s1);
            s2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 16), s2);
            s3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 24), s3);
            s4 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 32), s4);
            s5 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 40), s5);
            s6 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 48), s6);
            s7 = Vector256.FusedMultiplyAdd(av, Vector256.Load(row + 56), s7);
        }
        s0.Store(sums); s1.Store(sums + 8); s2.Store(sums + 16); s3.Store(sums + 24);
        s4.Store(sums + 32); s5.Store(sums + 40); s6.Store(sums + 48); s7.Store(sums + 56);
    }

    private void AccumulateRows128(int j0, float* sums)
    {
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        float* row = _b + j0;
        for (int p = 0; p < _k; p++, row += _ldb)
        {
            var av = Vector128.Create(_a[p]);
            s0 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row), s0);
            s1 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 4), s1);
            s2 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 8), s2);
            s3 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 12), s3);
            s4 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 16), s4);
            s5 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 20), s5);
            s6 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 24), s6);
            s7 = Vector128.FusedMultiplyAdd(av, Vector128.Load(row + 28), s7);
        }
        s0.Store(sums); s1.Store(sums + 4); s2.Store(sums + 8); s3.Store(sums + 12);
        s4.Store(sums + 16); s5.Store(sums + 20); s6.Store(sums + 24); s7.Store(sums + 28);
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
