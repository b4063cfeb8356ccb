using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>
/// <see cref="Gemm.MultiplyRowsApart"/>: every row of C has exactly the bits it has when computed alone, at every
/// accelerated width and the scalar one, on odd sizes (tiles, their edges and k tails), with alpha and beta; and the
/// product is the double-precision reference's within rounding.
/// </summary>
[Collection(GemmCollection.Name)]
public sealed class GemmRowsApartTests
{
    public static TheoryData<SimdWidth, bool> WidthsAndLayouts()
    {
        var data = new TheoryData<SimdWidth, bool>();
        foreach (var width in Simd.Accelerated.Append(SimdWidth.Scalar).Distinct())
        {
            data.Add(width, true);
            data.Add(width, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndLayouts))]
    public void EveryRow_IsTheProductOfThatRowAlone(SimdWidth width, bool transB)
    {
        foreach (var (m, n, k, alpha, beta) in new[] { (3, 300, 257, 1f, 0f), (17, 65, 17, 1f, 1f), (5, 128, 65, -0.5f, 0.25f), (1, 17, 3, 2f, 1f), (8, 33, 128, 1f, 1f), (9, 3, 1, 1f, 0f) })
        {
            var rng = new Rng((ulong)(m * 1000 + n + k));
            int lda = k + 3, ldb = (transB ? k : n) + 1, ldc = n + 2;
            float[] a = GemmCheck.Random(rng, m * lda), b = GemmCheck.Random(rng, (transB ? n : k) * ldb), c = GemmCheck.Random(rng, m * ldc);
            float[] together = (float[])c.Clone();
            Gemm.MultiplyRowsApart(width, transB, m, n, k, a, lda, b, ldb, together, ldc, alpha, beta);
            for (int r = 0; r < m; r++)
            {
                float[] alone = c.AsSpan(r * ldc, ldc).ToArray();
                Gemm.MultiplyRowsApart(width, transB, 1, n, k, a.AsSpan(r * lda, k), lda, b, ldb, alone, ldc, alpha, beta);
                for (int j = 0; j < ldc; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(alone[j]) == BitConverter.SingleToInt32Bits(together[r * ldc + j]),
                        $"width={width} transB={transB} m={m} n={n} k={k}: C[{r},{j}] is {together[r * ldc + j]} among {m} rows, {alone[j]} alone.");
            }
            float[] expected = (float[])c.Clone();
            GemmReference.Multiply(false, transB, m, n, k, a, lda, b, ldb, expected, ldc, alpha, beta);
            for (int i = 0; i < m * ldc; i++)
                Assert.True(Math.Abs(expected[i] - together[i]) <= 1e-5f + 4 * GemmCheck.Tolerance(k),
                    $"width={width} transB={transB} m={m} n={n} k={k}: C[{i / ldc},{i % ldc}] = {together[i]}, expected {expected[i]}.");
        }
    }
}
