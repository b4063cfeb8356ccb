using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// C (m, n) = alpha·A (m, k)·Bᵀ + beta·C with B stored (n, k), as a fully connected layer's weight is, for a few rows
/// (the tokens of sequences decoded together). Every element is one chain whatever the rows around it: a single
/// accumulator of the width's lanes down k, summed across by halving, then the tail in scalar FMAs; so a row has the
/// same bits in any batch, and alone. Tiles of 4 rows × 2 columns share their loads (six loads for eight FMAs).
/// Column blocks are shared out between threads; an element's chain is the same on any thread count.
/// </summary>
internal sealed unsafe class GemmRowDots : IParallelBody
{
    /// <summary>Columns of a work item.</summary>
    private const int BlockColumns = 32;

    [ThreadStatic] private static GemmRowDots? t_job;

    private SimdWidth _width;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float* _a, _b, _c;
    private float _alpha, _beta;

    public static void Multiply(SimdWidth width, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc,
        float alpha, float beta, int threads)
    {
        var job = t_job ??= new GemmRowDots();
        job._width = width;
        (job._m, job._n, job._k, job._lda, job._ldb, job._ldc) = (m, n, k, lda, ldb, ldc);
        job._a = a; job._b = b; job._c = c;
        job._alpha = alpha; job._beta = beta;
        Parallelism.For((n + BlockColumns - 1) / BlockColumns, job, workPerItem: 2L * BlockColumns * k * m, threads);
        job._a = job._b = job._c = null;
    }

    public void Execute(int index)
    {
        switch (_width)
        {
            case SimdWidth.V512: Block<Width512, Vector512<float>>(index); break;
            case SimdWidth.V256: Block<Width256, Vector256<float>>(index); break;
            case SimdWidth.V128: Block<Width128, Vector128<float>>(index); break;
            default: Block<WidthScalar, float>(index); break;
        }
    }

    private void Block<TW, TV>(int index) where TW : struct, IVectorWidth<TV> where TV : struct
    {
        int j0 = index * BlockColumns, j1 = Math.Min(_n, j0 + BlockColumns);
        int r = 0;
        for (; r + 4 <= _m; r += 4)
        {
            int j = j0;
            for (; j + 2 <= j1; j += 2) Tile<TW, TV>(r, j);
            for (; j < j1; j++)
                for (int i = r; i < r + 4; i++) Store(i, j, Dot<TW, TV>(Row(i), Column(j)));
        }
        for (; r < _m; r++)
            for (int j = j0; j < j1; j++) Store(r, j, Dot<TW, TV>(Row(r), Column(j)));
    }

    private float* Row(int r) => _a + (long)r * _lda;

    private float* Column(int j) => _b + (long)j * _ldb;

    // The chain of one element: what a tile computes for each of its eight.
    private float Dot<TW, TV>(float* a, float* b) where TW : struct, IVectorWidth<TV> where TV : struct
    {
        TV s = default;
        int p = 0;
        for (; p <= _k - TW.Lanes; p += TW.Lanes) s = TW.FusedMultiplyAdd(TW.Load(a + p), TW.Load(b + p), s);
        return Tail(a, b, p, TW.Sum(s));
    }

    private float Tail(float* a, float* b, int p, float sum)
    {
        for (; p < _k; p++) sum = MathF.FusedMultiplyAdd(a[p], b[p], sum);
        return sum;
    }

    // Rows r..r+3 × columns j, j+1.
    private void Tile<TW, TV>(int r, int j) where TW : struct, IVectorWidth<TV> where TV : struct
    {
        float* a0 = Row(r), a1 = Row(r + 1), a2 = Row(r + 2), a3 = Row(r + 3), b0 = Column(j), b1 = Column(j + 1);
        TV s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
        int p = 0;
        for (; p <= _k - TW.Lanes; p += TW.Lanes)
        {
            TV x0 = TW.Load(b0 + p), x1 = TW.Load(b1 + p);
            TV y = TW.Load(a0 + p);
            s00 = TW.FusedMultiplyAdd(y, x0, s00); s01 = TW.FusedMultiplyAdd(y, x1, s01);
            y = TW.Load(a1 + p);
            s10 = TW.FusedMultiplyAdd(y, x0, s10); s11 = TW.FusedMultiplyAdd(y, x1, s11);
            y = TW.Load(a2 + p);
            s20 = TW.FusedMultiplyAdd(y, x0, s20); s21 = TW.FusedMultiplyAdd(y, x1, s21);
            y = TW.Load(a3 + p);
            s30 = TW.FusedMultiplyAdd(y, x0, s30); s31 = TW.FusedMultiplyAdd(y, x1, s31);
        }
        Store(r, j, Tail(a0, b0, p, TW.Sum(s00))); Store(r, j + 1, Tail(a0, b1, p, TW.Sum(s01)));
        Store(r + 1, j, Tail(a1, b0, p, TW.Sum(s10))); Store(r + 1, j + 1, Tail(a1, b1, p, TW.Sum(s11)));
        Store(r + 2, j, Tail(a2, b0, p, TW.Sum(s20))); Store(r + 2, j + 1, Tail(a2, b1, p, TW.Sum(s21)));
        Store(r + 3, j, Tail(a3, b0, p, TW.Sum(s30))); Store(r + 3, j + 1, Tail(a3, b1, p, TW.Sum(s31)));
    }

    private void Store(int r, int j, float sum)
    {
        float* c = _c + (long)r * _ldc + j;
        *c = _beta == 0f ? _alpha * sum : MathF.FusedMultiplyAdd(sum, _alpha, _beta * *c);
    }
}
