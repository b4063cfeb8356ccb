namespace Sharpformer.Kernels;

/// <summary>
/// A product shared out by columns: each thread takes one slab of C's columns (a multiple of NR wide)
/// and runs the single-threaded blocked product on it with its own packed B. The threads then meet
/// once per product instead of once per (N, K) block, and no B panel travels between cores.
/// Each thread packs all of op(A) for its slab, so this pays only when sharing row tiles would pack
/// A as often anyway: when every slab is at least one full N block wide.
/// </summary>
internal sealed unsafe class GemmColumnSlabs : IParallelBody
{
    private const int NR = GemmBlocking.NR;

    [ThreadStatic] private static GemmColumnSlabs? t_job;

    private bool _transA, _transB;
    private int _m, _n, _k, _lda, _ldb, _ldc, _slabWidth;
    private float* _a, _b, _c;
    private float _alpha, _beta;

    /// <summary>
    /// True when slabs pack A no more often than shared row tiles do (N blocks per slab × threads ≤
    /// N blocks of the whole product) and the product is big enough to keep every thread busy.
    /// </summary>
    public static bool Pays(int m, int n, int threads)
    {
        if (threads < 2 || m < GemmBlocking.MR * threads) return false;
        int slabWidth = SlabWidth(n, threads);
        int blocksPerSlab = CeilDiv(slabWidth, GemmBlocking.NcMax);
        int sharedBlocks = CeilDiv(n, GemmBlocking.NcMax);
        return slabWidth >= GemmBlocking.NcMax && blocksPerSlab * threads <= sharedBlocks;
    }

    public static void Multiply(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, float alpha, float beta, int threads)
    {
        var job = t_job ??= new GemmColumnSlabs();
        (job._transA, job._transB, job._m, job._n, job._k) = (transA, transB, m, n, k);
        job._a = a; job._lda = lda;
        job._b = b; job._ldb = ldb;
        job._c = c; job._ldc = ldc;
        (job._alpha, job._beta) = (alpha, beta);
        job._slabWidth = SlabWidth(n, threads);
        int slabs = CeilDiv(n, job._slabWidth);
        Parallelism.For(slabs, job, workPerItem: 2L * m * job._slabWidth * k, threads);
        job._a = job._b = job._c = null;
    }

    // Slab j: columns [j·width, min(n, (j+1)·width)) of C and op(B).
    public void Execute(int index)
    {
        int j0 = index * _slabWidth;
        int cols = Math.Min(_slabWidth, _n - j0);
        float* bSlab = _transB ? _b + (long)j0 * _ldb : _b + j0;
        GemmDriver.Multiply(_transA, _transB, _m, cols, _k, _a, _lda, bSlab, _ldb, _c + j0, _ldc, _alpha, _beta, threads: 1);
    }

    private static int SlabWidth(int n, int threads) => CeilDiv(CeilDiv(n, threads), NR) * NR;

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;
}
