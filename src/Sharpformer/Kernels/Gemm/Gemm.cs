namespace Sharpformer.Kernels;

/// <summary>
/// Single-precision matrix product C = alpha·op(A)·op(B) + beta·C (row-major, leading dimensions),
/// blocked, packed and multi-threaded (design in docs/gemm.md). beta = 0 ignores C's old contents
/// (even NaN); beta = 1 accumulates into C. The result does not depend on the thread count.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>The micro-kernel, tile and blocks that products run with on this machine.</summary>
    public static GemmPathInfo Path { get; } = GemmPathInfo.Of(GemmBlocking.For(Simd.Best));

    // op(A): (M, K), op(B): (K, N), C: (M, N)
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, float alpha = 1f, float beta = 0f) =>
        Multiply(Simd.Best, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta);

    /// <summary>As the public overload, with the micro-kernel of <paramref name="width"/> (which must be accelerated here).</summary>
    internal static void Multiply(SimdWidth width, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, float alpha = 1f, float beta = 0f)
    {
        Simd.Require(width);
        GemmArguments.CheckSizes(m, n, k);
        GemmArguments.CheckOperand(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda, batch: 1, stride: 0);
        GemmArguments.CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, batch: 1, stride: 0);
        GemmArguments.CheckOperand(nameof(c), c.Length, m, n, ldc, batch: 1, stride: 0);
        fixed (float* pa = a, pb = b, pc = c)
            GemmDriver.Multiply(width, transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, alpha, beta, ThreadsForCall());
    }

    /// <summary>
    /// C (m, n) = alpha·A (m, k)·op(B) + beta·C where every row of C is the same sums in the same order whatever rows share
    /// the call, so a row has the same bits in a batch of any size as alone (m = 1), at a given width. For decoding several
    /// sequences at once whose tokens must not depend on the company they keep. op(B) = Bᵀ (a layer's weight, (n, k))
    /// goes through <see cref="GemmRowDots"/>, whose order is its own (it need not match <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, float, float)"/>'s);
    /// op(B) = B is computed as the single-row product computes one row.
    /// </summary>
    public static void MultiplyRowsApart(bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, float alpha = 1f, float beta = 0f) =>
        MultiplyRowsApart(Simd.Best, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta);

    /// <summary>As the public overload, with the kernels of <paramref name="width"/> (which must be accelerated here).</summary>
    internal static void MultiplyRowsApart(SimdWidth width, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, float alpha = 1f, float beta = 0f)
    {
        Simd.Require(width);
        GemmArguments.CheckSizes(m, n, k);
        GemmArguments.CheckOperand(nameof(a), a.Length, m, k, lda, batch: 1, stride: 0);
        GemmArguments.CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, batch: 1, stride: 0);
        GemmArguments.CheckOperand(nameof(c), c.Length, m, n, ldc, batch: 1, stride: 0);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            int threads = ThreadsForCall();
            if (transB)
                GemmRowDots.Multiply(width, m, n, k, pa, lda, pb, ldb, pc, ldc, alpha, beta, threads);
            // The single-row path, over all the rows at once where it is the path one row takes.
            else if (k > 0 && alpha != 0f && GemmRowVector.Handles(1, transA: false, lda, width))
                GemmRowVector.Multiply(width, false, m, n, k, pa, lda, pb, ldb, pc, ldc, alpha, beta, threads);
            else
                for (int r = 0; r < m; r++)
                    GemmDriver.Multiply(width, false, false, 1, n, k, pa + (long)r * lda, lda, pb, ldb, pc + (long)r * ldc, ldc, alpha, beta, threads);
        }
    }

    /// <summary>
    /// <paramref name="batch"/> independent products; matrix i of A, B, C starts at i·strideA, i·strideB, i·strideC.
    /// A stride of 0 broadcasts one matrix over the batch. When each product is small the threads share
    /// out whole products; otherwise the products run one after another, each on all threads.
    /// </summary>
    public static void MultiplyBatched(int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        Span<float> c, int ldc, long strideC, float alpha = 1f, float beta = 0f) =>
        MultiplyBatched(Simd.Best, batch, transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, alpha, beta);

    /// <summary>As the public overload, with the micro-kernel of <paramref name="width"/> (which must be accelerated here).</summary>
    internal static void MultiplyBatched(SimdWidth width, int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        Span<float> c, int ldc, long strideC, float alpha = 1f, float beta = 0f)
    {
        Simd.Require(width);
        if (batch < 0) throw new ArgumentException($"Gemm: batch must be non-negative, got {batch}.", nameof(batch));
        GemmArguments.CheckSizes(m, n, k);
        GemmArguments.CheckOperand(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda, batch, strideA);
        GemmArguments.CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb, batch, strideB);
        GemmArguments.CheckOperand(nameof(c), c.Length, m, n, ldc, batch, strideC);
        if (batch == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            int threads = ThreadsForCall();
            long flopsPerProduct = 2L * m * n * k;
            // Products writing the same C (stride 0) must follow one another.
            bool shareProducts = threads > 1 && batch > 1 && strideC != 0
                && (flopsPerProduct < SmallProductFlops || batch >= 4 * threads);
            if (shareProducts)
            {
                var job = GemmBatchJob.ForCurrentThread();
                job.Set(width, transA, transB, m, n, k, pa, lda, strideA, pb, ldb, strideB, pc, ldc, strideC, alpha, beta);
                Parallelism.For(batch, job, workPerItem: Math.Max(flopsPerProduct, 1), threads);
                job.Clear();
                return;
            }
            for (int i = 0; i < batch; i++)
                GemmDriver.Multiply(width, transA, transB, m, n, k, pa + i * strideA, lda, pb + i * strideB, ldb,
                    pc + i * strideC, ldc, alpha, beta, threads);
        }
    }

    /// <summary>Below this many flops a product is not worth splitting across threads on its own.</summary>
    private const long SmallProductFlops = 16_000_000;

    private static int ThreadsForCall() => Parallelism.InsideParallelLoop ? 1 : Parallelism.ThreadCount;
}

/// <summary>A batched product whose threads each take whole products.</summary>
internal sealed unsafe class GemmBatchJob : IParallelBody
{
    [ThreadStatic] private static GemmBatchJob? t_job;

    public static GemmBatchJob ForCurrentThread() => t_job ??= new GemmBatchJob();

    private SimdWidth _width;
    private bool _transA, _transB;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float* _a, _b, _c;
    private long _strideA, _strideB, _strideC;
    private float _alpha, _beta;

    public void Set(SimdWidth width, bool transA, bool transB, int m, int n, int k, float* a, int lda, long strideA, float* b, int ldb, long strideB,
        float* c, int ldc, long strideC, float alpha, float beta)
    {
        (_width, _transA, _transB, _m, _n, _k) = (width, transA, transB, m, n, k);
        _a = a; _lda = lda; _strideA = strideA;
        _b = b; _ldb = ldb; _strideB = strideB;
        _c = c; _ldc = ldc; _strideC = strideC;
        (_alpha, _beta) = (alpha, beta);
    }

    public void Clear() => _a = _b = _c = null;

    public void Execute(int index) =>
        GemmDriver.Multiply(_width, _transA, _transB, _m, _n, _k, _a + index * _strideA, _lda, _b + index * _strideB, _ldb,
            _c + index * _strideC, _ldc, _alpha, _beta, threads: 1);
}

/// <summary>Argument checks shared by the GEMM entry points; messages name the argument and what was expected.</summary>
internal static class GemmArguments
{
    public static void CheckSizes(int m, int n, int k)
    {
        if (m < 0) throw new ArgumentException($"Gemm: m must be non-negative, got {m}.", nameof(m));
        if (n < 0) throw new ArgumentException($"Gemm: n must be non-negative, got {n}.", nameof(n));
        if (k < 0) throw new ArgumentException($"Gemm: k must be non-negative, got {k}.", nameof(k));
    }

    /// <summary>A stored (rows, cols) matrix with leading dimension ld, repeated batch times every stride elements.</summary>
    public static void CheckOperand(string name, int length, int rows, int cols, int ld, int batch, long stride)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"Gemm: leading dimension of {name} must be at least {Math.Max(1, cols)} (its stored width), got {ld}.", "ld" + name);
        if (stride < 0)
            throw new ArgumentException($"Gemm: stride of {name} must be non-negative, got {stride}.", "stride" + char.ToUpperInvariant(name[0]));
        if (rows == 0 || cols == 0 || batch == 0) return;
        long needed = (long)(batch - 1) * stride + (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException(
                $"Gemm: {name} has {length} elements, but {(batch > 1 ? $"{batch} matrices of " : "")}{rows}×{cols} with leading dimension {ld}" +
                $"{(batch > 1 ? $" and stride {stride}" : "")} needs {needed}.", name);
    }
}
