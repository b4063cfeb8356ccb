using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// The Vector256 (AVX2 + FMA) micro-kernel: a 6×16 tile of C in 12 ymm accumulators (two 8-float vectors per
/// row), as BLIS and OpenBLAS do on Haswell and Zen. Each k step loads two B vectors and broadcasts six A values:
/// 12 independent FMAs cover the 4–5 cycle FMA latency on two ports, and 12 + 2 + 1 = 15 of the 16 ymm registers
/// are live, so nothing spills. A tile at the bottom edge runs a copy compiled for fewer rows.
/// </summary>
internal static unsafe class GemmKernel256
{
    public const int MR = 6, NR = 16;

    /// <summary>How many k steps (one 64-byte line of B each) the B stream is prefetched ahead.</summary>
    private const int PrefetchSteps = 16;

    /// <summary>Same contract as <see cref="GemmKernel512.Run"/> for a tile of 1 to 6 rows and 16 columns.</summary>
    public static void Run(int rows, int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
    {
        switch (rows)
        {
            case 1: Run<Rows1>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 2: Run<Rows2>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 3: Run<Rows3>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 4: Run<Rows4>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 5: Run<Rows5>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 6: Run<Rows6>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 6 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Run<TRows>(int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
        where TRows : struct, IGemmRowCount
    {
        // Row r of A lies r·L bytes from the current k step; with L, 3L and 5L in registers every row is one
        // address [a + index·scale] (2L = L·2, 4L = L·4).
        nint l1 = rowStep * sizeof(float), l3 = 3 * l1, l5 = 5 * l1;
        nint step = kStep * sizeof(float);
        byte* ak = (byte*)a;
        if (TRows.Value > 0) Simd.Prefetch(c + 0 * ldc);
        if (TRows.Value > 1) Simd.Prefetch(c + 1 * ldc);
        if (TRows.Value > 2) Simd.Prefetch(c + 2 * ldc);
        if (TRows.Value > 3) Simd.Prefetch(c + 3 * ldc);
        if (TRows.Value > 4) Simd.Prefetch(c + 4 * ldc);
        if (TRows.Value > 5) Simd.Prefetch(c + 5 * ldc);
        Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero;
        Vector256<float> c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
        Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero;
        Vector256<float> c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
        Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero;
        Vector256<float> c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            Simd.Prefetch(b + PrefetchSteps * NR);
            if ((p & 15) == 0) Simd.Prefetch(prefetch + p);
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> av;
            if (TRows.Value > 0) { av = Vector256.Create(*(float*)ak); c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01); }
            if (TRows.Value > 1) { av = Vector256.Create(*(float*)(ak + l1)); c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11); }
            if (TRows.Value > 2) { av = Vector256.Create(*(float*)(ak + l1 * 2)); c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21); }
            if (TRows.Value > 3) { av = Vector256.Create(*(float*)(ak + l3)); c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31); }
            if (TRows.Value > 4) { av = Vector256.Create(*(float*)(ak + l1 * 4)); c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41); }
            if (TRows.Value > 5) { av = Vector256.Create(*(float*)(ak + l5)); c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51); }
            ak += step;
            b += NR;
        }

        Vector256<float> alphaV = Vector256.Create(alpha), betaV = Vector256.Create(beta);
        if (TRows.Value > 0) StoreRow(c + 0 * ldc, c00, c01, alphaV, betaV, overwrite);
        if (TRows.Value > 1) StoreRow(c + 1 * ldc, c10, c11, alphaV, betaV, overwrite);
        if (TRows.Value > 2) StoreRow(c + 2 * ldc, c20, c21, alphaV, betaV, overwrite);
        if (TRows.Value > 3) StoreRow(c + 3 * ldc, c30, c31, alphaV, betaV, overwrite);
        if (TRows.Value > 4) StoreRow(c + 4 * ldc, c40, c41, alphaV, betaV, overwrite);
        if (TRows.Value > 5) StoreRow(c + 5 * ldc, c50, c51, alphaV, betaV, overwrite);
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
