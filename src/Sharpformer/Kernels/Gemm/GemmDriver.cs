using System.Runtime.CompilerServices;

namespace Sharpformer.Kernels;

/// <summary>
/// The blocked product on raw pointers. Loop nest, outermost first:
/// N blocks of NcMax columns → K blocks of KcFor(k) → pack that B block (shared by the threads) →
/// row tiles of MR rows (handed out to the threads) → pack the tile's A panel (unless A is read in place) → NR-column tiles → kernel.
/// Packing of the next B block is handed out together with the row tiles of the current one.
/// Each C element is the same sum in the same order however the row tiles are shared out, so the
/// result does not depend on the thread count.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C using up to <paramref name="threads"/> threads, with the micro-kernel of <paramref name="width"/>.</summary>
    public static void Multiply(SimdWidth width, bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, float alpha, float beta, int threads)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, c, ldc, beta);
            return;
        }
        if (GemmRowVector.Handles(m, transA, lda, width))
        {
            GemmRowVector.Multiply(width, transB, n, k, a, b, ldb, c, alpha, beta, threads);
            return;
        }

        var blocking = GemmBlocking.For(width);
        if (GemmColumnSlabs.Pays(blocking, m, n, k, threads))
        {
            GemmColumnSlabs.Multiply(blocking, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta, threads);
            return;
        }

        GemmJob job = GemmJob.ForCurrentThread();
        job.Begin(blocking, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta, threads);
        long workPerTile = 2L * blocking.MR * Math.Min(n, blocking.NcMax) * blocking.KcFor(k, transA);
        // The first B block is packed on its own; after that each loop computes one block while it
        // packs the next into the other buffer, so the threads meet once per block.
        job.PrepareFirstBlock();
        // Packing moves a float in about the time of a few flops; an item is a panel of KC × NR floats or
        // BRowsPerPackItem rows of NC floats, both about 16K floats.
        long workPerPackItem = 4L * blocking.NR * blocking.KcFor(k, transA);
        Parallelism.For(job.PackItems, job, workPerItem: workPerPackItem, threads);
        while (job.NextBlock())
            Parallelism.For(job.PackItems + job.RowItems, job, workPerItem: workPerTile * job.TilesPerItem, threads);
        job.End();
    }

    /// <summary>C = beta·C (beta 0 writes zeros without reading C).</summary>
    private static void ScaleC(int m, int n, float* c, int ldc, float beta)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>
    /// One tile: the first <paramref name="rows"/> rows (at most MR) of C (rows × NR) = alpha·(A rows · B panel) + beta·C, or alpha·(A·B) when <paramref name="overwrite"/>;
    /// A(r, p) is at a[r·rowStep + p·kStep]; the kc floats from <paramref name="prefetch"/> on are fetched into cache meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RunKernel(SimdWidth width, int rows, int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
    {
        switch (width)
        {
            case SimdWidth.V512: GemmKernel512.Run(rows, kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case SimdWidth.V256: GemmKernel256.Run(rows, kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case SimdWidth.V128: GemmKernel128.Run(rows, kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            default: GemmKernelScalar.Run(rows, kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
        }
    }
}
