using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>Which micro-kernel runs a product; tests force each one.</summary>
internal enum GemmPath
{
    /// <summary>Vector512 when hardware-accelerated, else Vector256, else the scalar reference.</summary>
    Auto,
    Vector512,
    Vector256,
    Scalar,
}

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
    /// <summary>Set by tests to force one path; Auto otherwise.</summary>
    internal static GemmPath ForcedPath = GemmPath.Auto;

    public static GemmPath ResolvePath()
    {
        if (ForcedPath != GemmPath.Auto) return ForcedPath;
        if (Vector512.IsHardwareAccelerated) return GemmPath.Vector512;
        if (Vector256.IsHardwareAccelerated) return GemmPath.Vector256;
        return GemmPath.Scalar;
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C using up to <paramref name="threads"/> threads.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, float alpha, float beta, int threads)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, c, ldc, beta);
            return;
        }
        GemmPath path = ResolvePath();
        if (path == GemmPath.Scalar)
        {
            MultiplyScalar(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta);
            return;
        }

        if (GemmRowVector.Handles(m, transA, lda, path))
        {
            GemmRowVector.Multiply(transB, n, k, a, b, ldb, c, alpha, beta, threads);
            return;
        }

        if (GemmColumnSlabs.Pays(m, n, threads))
        {
            GemmColumnSlabs.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta, threads);
            return;
        }

        GemmJob job = GemmJob.ForCurrentThread();
        job.Begin(path, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta, threads);
        long workPerTile = 2L * GemmBlocking.MR * Math.Min(n, GemmBlocking.NcMax) * GemmBlocking.KcFor(k, transA);
        // The first B block is packed on its own; after that each loop computes one block while it
        // packs the next into the other buffer, so the threads meet once per block.
        job.PrepareFirstBlock();
        // Packing moves a float in about the time of a few flops; an item is a panel of KC × NR floats or
        // BRowsPerPackItem rows of NC floats, both about 16K floats.
        long workPerPackItem = 4L * GemmBlocking.NR * GemmBlocking.KcFor(k, transA);
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

    private static void MultiplyScalar(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, float alpha, float beta)
    {
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
                float bv = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                sum += av * bv;
            }
            float* target = c + (long)i * ldc + j;
            *target = beta == 0f ? alpha * sum : alpha * sum + beta * *target;
        }
    }

    /// <summary>True when <see cref="RunKernel"/> can write a tile of fewer than MR rows straight into C.</summary>
    internal static bool WritesPartialRows(GemmPath path) => path == GemmPath.Vector512;

    /// <summary>
    /// One tile: the first <paramref name="rows"/> rows (all MR unless <see cref="WritesPartialRows"/>) of
    /// C (rows × NR) = alpha·(A rows · B panel) + beta·C, or alpha·(A·B) when <paramref name="overwrite"/>;
    /// A(r, p) is at a[r·rowStep + p·kStep]; the kc floats from <paramref name="prefetch"/> on are fetched into cache meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void RunKernel(GemmPath path, int rows, int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
    {
        if (path == GemmPath.Vector512) GemmKernel512.Run(rows, kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch);
        else GemmKernel256.Run(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch);
    }
}
