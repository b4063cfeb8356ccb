using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Products with a single row of C (one token at a time in generation): c = alpha·a·op(B) + beta·c.
/// Such a product reads each element of B once, so it is bound by memory, and packing B would only
/// read and write it once more. Here B is read in place: for op(B) = B, row by row into 128 column
/// accumulators; for op(B) = Bᵀ, as one dot product per column of C.
/// Columns are shared out between threads; each column's sum is the same on any thread count.
/// <see cref="Multiply"/> also takes several rows (the tokens of several sequences decoded together): each row is
/// the same sums in the same order as a product of that row alone, so a row's result does not depend on the others,
/// and the chunk of B a work item reads stays in cache from one row to the next.
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
    private int _m, _n, _k, _lda, _ldb, _ldc, _chunk;
    private float* _a, _b, _c;
    private float _alpha, _beta;

    /// <summary>True when <see cref="Multiply"/> handles the product (one row, A contiguous along k, a vector width).</summary>
    public static bool Handles(int m, bool transA, int lda, SimdWidth width) =>
        m == 1 && (!transA || lda == 1) && width != SimdWidth.Scalar;

    /// <summary>c (1, n) = alpha·a (1, k)·op(B) (k, n) + beta·c, with a contiguous.</summary>
    public static void Multiply(SimdWidth width, bool transB, int n, int k, float* a, float* b, int ldb, float* c, float alpha, float beta, int threads) =>
        Multiply(width, transB, 1, n, k, a, k, b, ldb, c, n, alpha, beta, threads);

    /// <summary>
    /// c (m, n) = alpha·a (m, k)·op(B) (k, n) + beta·c, every row of a contiguous along k (row r at a + r·lda) and
    /// computed exactly as <see cref="Multiply(SimdWidth, bool, int, int, float*, float*, int, float*, float, float, int)"/> computes a single row.
    /// </summary>
    public static void Multiply(SimdWidth width, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc,
        float alpha, float beta, int threads)
    {
        var job = t_job ??= new GemmRowVector();
        job._transB = transB;
        job._width = width;
        job._chunk = Accumulators * (int)width / 32;

        job._m = m; job._n = n; job._k = k; job._lda = lda; job._ldb = ldb; job._ldc = ldc;
        job._a = a; job._b = b; job._c = c;
        job._alpha = alpha; job._beta = beta;
        int chunks = (n + job._chunk - 1) / job._chunk;
        Parallelism.For(chunks, job, workPerItem: 2L * job._chunk * k * m, threads);
        job._a = job._b = job._c = null;
    }

    public void Execute(int index)
    {
        int j0 = index * _chunk;
        int cols = Math.Min(_chunk, _n - j0);
        if (_transB)
        {
            DotColumns(j0, cols);
            return;
        }
        float* sums = stackalloc float[MaxChunk];
        for (int r = 0; r < _m; r++)
        {
            float* a = _a + (long)r * _lda, c = _c + (long)r * _ldc;
            if (cols < _chunk) AccumulateRowsScalar(a, c, j0, cols);
            else
            {
                if (_width == SimdWidth.V512) AccumulateRows<Width512, Vector512<float>>(a, j0, sums);
                else if (_width == SimdWidth.V256) AccumulateRows<Width256, Vector256<float>>(a, j0, sums);
                else AccumulateRows<Width128, Vector128<float>>(a, j0, sums);
                for (int j = 0; j < _chunk; j++) Store(c, j0 + j, sums[j]);
            }
        }
    }

    // op(B) = Bᵀ: column j of op(B) is row j of the stored B, contiguous along k; it is read once for all the rows.
    private void DotColumns(int j0, int cols)
    {
        for (int j = j0; j < j0 + cols; j++)
        {
            var column = new ReadOnlySpan<float>(_b + (long)j * _ldb, _k);
            for (int r = 0; r < _m; r++)
                Store(_c + (long)r * _ldc, j, TensorPrimitives.Dot(new ReadOnlySpan<float>(_a + (long)r * _lda, _k), column));
        }
    }

    // op(B) = B: a chunk of columns held in eight accumulators while k runs down the rows of B; every column
    // is the same chain of FMAs at every width, so the widths (and the scalar tail) agree bit for bit.
    private void AccumulateRows<TW, TV>(float* a, int j0, float* sums) where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int w = TW.Lanes;
        TV s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        float* row = _b + j0;
        for (int p = 0; p < _k; p++, row += _ldb)
        {
            TV av = TW.Splat(a[p]);
            s0 = TW.FusedMultiplyAdd(av, TW.Load(row), s0);
            s1 = TW.FusedMultiplyAdd(av, TW.Load(row + w), s1);
            s2 = TW.FusedMultiplyAdd(av, TW.Load(row + 2 * w), s2);
            s3 = TW.FusedMultiplyAdd(av, TW.Load(row + 3 * w), s3);
            s4 = TW.FusedMultiplyAdd(av, TW.Load(row + 4 * w), s4);
            s5 = TW.FusedMultiplyAdd(av, TW.Load(row + 5 * w), s5);
            s6 = TW.FusedMultiplyAdd(av, TW.Load(row + 6 * w), s6);
            s7 = TW.FusedMultiplyAdd(av, TW.Load(row + 7 * w), s7);
        }
        TW.Store(sums, s0); TW.Store(sums + w, s1); TW.Store(sums + 2 * w, s2); TW.Store(sums + 3 * w, s3);
        TW.Store(sums + 4 * w, s4); TW.Store(sums + 5 * w, s5); TW.Store(sums + 6 * w, s6); TW.Store(sums + 7 * w, s7);
    }

    // The last, partial chunk: the same sums in the same order, one column at a time.
    private void AccumulateRowsScalar(float* a, float* c, int j0, int cols)
    {
        for (int j = j0; j < j0 + cols; j++)
        {
            float sum = 0f;
            for (int p = 0; p < _k; p++) sum = MathF.FusedMultiplyAdd(a[p], _b[(long)p * _ldb + j], sum);
            Store(c, j, sum);
        }
    }

    private void Store(float* c, int j, float sum) =>
        c[j] = _beta == 0f ? _alpha * sum : MathF.FusedMultiplyAdd(sum, _alpha, _beta * c[j]);
}
