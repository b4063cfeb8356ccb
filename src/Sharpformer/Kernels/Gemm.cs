namespace Sharpformer.Kernels;

/// <summary>
/// Single-precision matrix product C = alpha·op(A)·op(B) + beta·C (row-major, leading dimensions).
/// </summary>
public static class Gemm
{
    // op(A): (M, K), op(B): (K, N), C: (M, N)
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, float alpha = 1f, float beta = 0f)
        => GemmReference.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, alpha, beta);

    /// <summary>
    /// <paramref name="batch"/> independent products; matrix i of A, B, C starts at i·strideA, i·strideB, i·strideC.
    /// A stride of 0 broadcasts one matrix over the batch.
    /// </summary>
    public static void MultiplyBatched(int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        Span<float> c, int ldc, long strideC, float alpha = 1f, float beta = 0f)
    {
        for (int i = 0; i < batch; i++)
            GemmReference.Multiply(transA, transB, m, n, k, a[(int)(i * strideA)..], lda, b[(int)(i * strideB)..], ldb,
                c[(int)(i * strideC)..], ldc, alpha, beta);
    }
}
