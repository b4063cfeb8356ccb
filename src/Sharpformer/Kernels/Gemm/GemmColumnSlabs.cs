namespace Sharpformer.Kernels;

/// <summary>
/// A product shared out by columns: each thread takes one slab of C's columns (a multiple of NR wide)
/// and runs the single-threaded blocked product on it with its own packed B. The threads then meet
/// once per product instead of once per (N, K) block, and no B panel travels between cores.
/// Each thread packs all of op(A) for its slab, so this pays when sharing row tiles would pack A as often
/// anyway (every slab at least one full N block wide), or when A is small enough that reading it again costs
/// less than the second meeting of the threads that shared row tiles need (see <see cref="Pays"/>).
/// A thread that has finished its slab, or starts late, takes row items of the slabs still running
/// (<see cref="GemmJob.TryHelp"/>), so that a core slowed by the rest of the machine does not leave
/// the other idle at the end.
/// </summary>
internal sealed unsafe class GemmColumnSlabs : IParallelBody
{
    [ThreadStatic] private static GemmColumnSlabs? t_job;

    private bool _transA, _transB;
    private int _m, _n, _k, _lda, _ldb, _ldc, _slabWidth, _slabs;
    private GemmBlocking _blocking = GemmBlocking.For(SimdWidth.Scalar);

    // Slabs claimed so far and slabs finished; the job of each running slab, for the others to help.
    private int _slabsClaimed, _slabsDone;
    private GemmJob?[] _jobs = [];
    private float* _a, _b, _c;
    private float _alpha, _beta;

    /// <summary>Most floats of op(A) that a small product lets every slab read (or pack) again: 1 MiB.</summary>
    private const long SmallAFloats = 256 * 1024;

    /// <summary>
    /// True when slabs pack A no more often than shared row tiles do (N blocks per slab × threads ≤
    /// N blocks of the whole product) and the product is big enough to keep every thread busy; or when the
    /// product is one N block with a small A no taller than wide (256³, a 128-row weight gradient): there shared
    /// row tiles meet twice (after packing B, after computing), slabs once, and reading A again costs little.
    /// </summary>
    public static bool Pays(GemmBlocking blocking, int m, int n, int k, int threads)
    {
        if (threads < 2 || m < blocking.MR * threads) return false;
        int slabWidth = SlabWidth(blocking, n, threads);
        if (n <= blocking.NcMax && m <= n && (long)m * k <= SmallAFloats && slabWidth >= 4 * blocking.NR) return true;
        int blocksPerSlab = CeilDiv(slabWidth, blocking.NcMax);
        int sharedBlocks = CeilDiv(n, blocking.NcMax);
        return slabWidth >= blocking.NcMax && blocksPerSlab * threads <= sharedBlocks;
    }

    public static void Multiply(GemmBlocking blocking, bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, float alpha, float beta, int threads)
    {
        var job = t_job ??= new GemmColumnSlabs();
        (job._transA, job._transB, job._m, job._n, job._k) = (transA, transB, m, n, k);
        job._a = a; job._lda = lda;
        job._b = b; job._ldb = ldb;
        job._c = c; job._ldc = ldc;
        (job._alpha, job._beta) = (alpha, beta);
        job._blocking = blocking;
        job._slabWidth = SlabWidth(blocking, n, threads);
        job._slabs = CeilDiv(n, job._slabWidth);
        if (job._jobs.Length < job._slabs) job._jobs = new GemmJob?[job._slabs];
        job._slabsClaimed = job._slabsDone = 0;
        // One item per thread: each claims slabs while any is left, then helps the others.
        Parallelism.For(threads, job, workPerItem: 2L * m * job._slabWidth * k, threads);
        job._a = job._b = job._c = null;
    }

    public void Execute(int index)
    {
        int slab;
        while ((slab = Interlocked.Increment(ref _slabsClaimed) - 1) < _slabs) RunSlab(slab);
        var wait = new BusyWait();
        while (Volatile.Read(ref _slabsDone) < _slabs)
        {
            bool helped = false;
            for (int s = 0; s < _slabs; s++)
                if (Volatile.Read(ref _jobs[s]) is { } other && other.TryHelp()) helped = true;
            if (!helped) wait.Once();
        }
    }

    // Slab j: columns [j·width, min(n, (j+1)·width)) of C and op(B), run on this thread's own job.
    private void RunSlab(int j)
    {
        int j0 = j * _slabWidth;
        int cols = Math.Min(_slabWidth, _n - j0);
        float* bSlab = _transB ? _b + (long)j0 * _ldb : _b + j0;
        GemmJob job = GemmJob.ForCurrentThread();
        job.Begin(_blocking, _transA, _transB, _m, cols, _k, _a, _lda, bSlab, _ldb, _c + j0, _ldc, _alpha, _beta, threads: 1);
        Volatile.Write(ref _jobs[j], job);
        job.RunShared();
        Volatile.Write(ref _jobs[j], null);
        job.End();
        Interlocked.Increment(ref _slabsDone);
    }

    private static int SlabWidth(GemmBlocking blocking, int n, int threads) => CeilDiv(CeilDiv(n, threads), blocking.NR) * blocking.NR;

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;
}
