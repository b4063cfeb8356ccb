using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// The Vector256 micro-kernel for CPUs without 512-bit vectors: the same A rows, packed B panel and 14×32 tile as
/// <see cref="GemmKernel512"/>, computed as four 7×16 quarters of 14 ymm accumulators each, so that it
/// fits the 16 vector registers of AVX2.
/// </summary>
internal static unsafe class GemmKernel256
{
    /// <summary>Same contract as <see cref="GemmKernel512.Run"/> for a whole tile of 14 rows.</summary>
    public static void Run(int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
    {
        const int HalfRows = GemmBlocking.MR / 2, HalfCols = GemmBlocking.NR / 2;
        // The first quarter fetches the whole row; the others fetch what the first already holds.
        for (int rowHalf = 0; rowHalf < 2; rowHalf++)
        for (int colHalf = 0; colHalf < 2; colHalf++)
            Quarter(kc, a + rowHalf * HalfRows * rowStep, rowStep, kStep, b + colHalf * HalfCols,
                c + rowHalf * HalfRows * ldc + colHalf * HalfCols, ldc, alpha, beta, overwrite, prefetch);
    }

    // C rows [0, 7) × columns [0, 16) of the tile at c; b advances by the full panel width each k.
    // Rows are addressed as in the Vector512 kernel: [a + index·scale] with L, 3L and 5L in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Quarter(int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
    {
        nint l1 = rowStep * sizeof(float), l3 = 3 * l1, l5 = 5 * l1;
        nint step = kStep * sizeof(float);
        byte* ak = (byte*)a;
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;
        Vector256<float> c60 = Vector256<float>.Zero, c61 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            if (Sse.IsSupported && (p & 15) == 0) Sse.Prefetch0(prefetch + p);
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> av;
            av = Vector256.Create(*(float*)(ak)); c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(*(float*)(ak + l1)); c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(*(float*)(ak + l1 * 2)); c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(*(float*)(ak + l3)); c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(*(float*)(ak + l1 * 4)); c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(*(float*)(ak + l5)); c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            av = Vector256.Create(*(float*)(ak + l3 * 2)); c60 = Vector256.FusedMultiplyAdd(av, b0, c60); c61 = Vector256.FusedMultiplyAdd(av, b1, c61);
            ak += step;
            b += GemmBlocking.NR;
        }

        Vector256<float> alphaV = Vector256.Create(alpha), betaV = Vector256.Create(beta);
        StoreRow(c + 0 * ldc, c00, c01, alphaV, betaV, overwrite);
        StoreRow(c + 1 * ldc, c10, c11, alphaV, betaV, overwrite);
        StoreRow(c + 2 * ldc, c20, c21, alphaV, betaV, overwrite);
        StoreRow(c + 3 * ldc, c30, c31, alphaV, betaV, overwrite);
        StoreRow(c + 4 * ldc, c40, c41, alphaV, betaV, overwrite);
        StoreRow(c + 5 * ldc, c50, c51, alphaV, betaV, overwrite);
        StoreRow(c + 6 * ldc, c60, c61, alphaV, betaV, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> s0, Vector256<float> s1, Vector256<float> alpha, Vector256<float> beta, bool overwrite)
    {
        if (overwrite)
        {
            Vector256.Store(s0 * alpha, c);
            Vector256.Store(s1 * alpha, c + 8);
        }
        else
        {
            Vector256.Store(Vector256.FusedMultiplyAdd(s0, alpha, beta * Vector256.Load(c)), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(s1, alpha, beta * Vector256.Load(c + 8)), c + 8);
        }
    }
}
