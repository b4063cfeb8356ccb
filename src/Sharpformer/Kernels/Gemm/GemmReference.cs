namespace Sharpformer.Kernels;

/// <summary>
/// The plain triple loop that defines what <see cref="Gemm"/> computes:
/// C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ, all row-major with leading dimensions.
/// Accumulates in double so tests can use it as an oracle.
/// </summary>
internal static class GemmReference
{
    // op(A): (M, K), op(B): (K, N), C: (M, N)
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, float alpha = 1f, float beta = 0f)
    {
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[p * lda + i] : a[i * lda + p];
                float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                sum += (double)av * bv;
            }
            float prior = beta == 0f ? 0f : beta * c[i * ldc + j];
            c[i * ldc + j] = (float)(alpha * sum) + prior;
        }
    }
}
