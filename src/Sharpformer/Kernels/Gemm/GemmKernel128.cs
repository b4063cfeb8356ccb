using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Sharpformer.Kernels;

/// <summary>
/// The Vector128 micro-kernel, for ARM64 (NEON, 32 q registers): the 6×16 tile of <see cref="GemmKernel256"/>
/// held as four 4-float vectors per row, 24 accumulators; each k step loads four B vectors and broadcasts six A
/// values straight from memory (ld1r), so 24 + 4 + 1 = 29 of the 32 registers are live. The same panels as the
/// Vector256 path, so both paths share their packing. On x86 (SSE, 16 xmm registers) it runs only in tests.
/// </summary>
internal static unsafe class GemmKernel128
{
    public const int MR = 6, NR = 16;

    /// <summary>Same contract as <see cref="GemmKernel512.Run"/> for a tile of 1 to 6 rows and 16 columns.</summary>
    public static void Run(int rows, int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite)
    {
        switch (rows)
        {
            case 1: Run<Rows1>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 2: Run<Rows2>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 3: Run<Rows3>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 4: Run<Rows4>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 5: Run<Rows5>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 6: Run<Rows6>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 6 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Broadcast(float* value) =>
        AdvSimd.IsSupported ? AdvSimd.LoadAndReplicateToVector128(value) : Vector128.Create(*value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Run<TRows>(int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite)
        where TRows : struct, IGemmRowCount
    {
        float* a0 = a, a1 = a + rowStep, a2 = a + 2 * rowStep, a3 = a + 3 * rowStep, a4 = a + 4 * rowStep, a5 = a + 5 * rowStep;
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector128<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector128<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector128<float> c50 = default, c51 = default, c52 = default, c53 = default;
        for (nint p = 0, at = 0; p < kc; p++, at += kStep)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4), b2 = Vector128.Load(b + 8), b3 = Vector128.Load(b + 12);
            Vector128<float> av;
            if (TRows.Value > 0) { av = Broadcast(a0 + at); c00 = Vector128.FusedMultiplyAdd(av, b0, c00); c01 = Vector128.FusedMultiplyAdd(av, b1, c01); c02 = Vector128.FusedMultiplyAdd(av, b2, c02); c03 = Vector128.FusedMultiplyAdd(av, b3, c03); }
            if (TRows.Value > 1) { av = Broadcast(a1 + at); c10 = Vector128.FusedMultiplyAdd(av, b0, c10); c11 = Vector128.FusedMultiplyAdd(av, b1, c11); c12 = Vector128.FusedMultiplyAdd(av, b2, c12); c13 = Vector128.FusedMultiplyAdd(av, b3, c13); }
            if (TRows.Value > 2) { av = Broadcast(a2 + at); c20 = Vector128.FusedMultiplyAdd(av, b0, c20); c21 = Vector128.FusedMultiplyAdd(av, b1, c21); c22 = Vector128.FusedMultiplyAdd(av, b2, c22); c23 = Vector128.FusedMultiplyAdd(av, b3, c23); }
            if (TRows.Value > 3) { av = Broadcast(a3 + at); c30 = Vector128.FusedMultiplyAdd(av, b0, c30); c31 = Vector128.FusedMultiplyAdd(av, b1, c31); c32 = Vector128.FusedMultiplyAdd(av, b2, c32); c33 = Vector128.FusedMultiplyAdd(av, b3, c33); }
            if (TRows.Value > 4) { av = Broadcast(a4 + at); c40 = Vector128.FusedMultiplyAdd(av, b0, c40); c41 = Vector128.FusedMultiplyAdd(av, b1, c41); c42 = Vector128.FusedMultiplyAdd(av, b2, c42); c43 = Vector128.FusedMultiplyAdd(av, b3, c43); }
            if (TRows.Value > 5) { av = Broadcast(a5 + at); c50 = Vector128.FusedMultiplyAdd(av, b0, c50); c51 = Vector128.FusedMultiplyAdd(av, b1, c51); c52 = Vector128.FusedMultiplyAdd(av, b2, c52); c53 = Vector128.FusedMultiplyAdd(av, b3, c53); }
            b += NR;
        }

        var alphaV = Vector128.Create(alpha);
        var betaV = Vector128.Create(beta);
        if (TRows.Value > 0) StoreRow(c + 0 * ldc, c00, c01, c02, c03, alphaV, betaV, overwrite);
        if (TRows.Value > 1) StoreRow(c + 1 * ldc, c10, c11, c12, c13, alphaV, betaV, overwrite);
        if (TRows.Value > 2) StoreRow(c + 2 * ldc, c20, c21, c22, c23, alphaV, betaV, overwrite);
        if (TRows.Value > 3) StoreRow(c + 3 * ldc, c30, c31, c32, c33, alphaV, betaV, overwrite);
        if (TRows.Value > 4) StoreRow(c + 4 * ldc, c40, c41, c42, c43, alphaV, betaV, overwrite);
        if (TRows.Value > 5) StoreRow(c + 5 * ldc, c50, c51, c52, c53, alphaV, betaV, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector128<float> s0, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3,
        Vector128<float> alpha, Vector128<float> beta, bool overwrite)
    {
        Store(c, s0, alpha, beta, overwrite);
        Store(c + 4, s1, alpha, beta, overwrite);
        Store(c + 8, s2, alpha, beta, overwrite);
        Store(c + 12, s3, alpha, beta, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector128<float> sum, Vector128<float> alpha, Vector128<float> beta, bool overwrite) =>
        Vector128.Store(overwrite ? sum * alpha : Vector128.FusedMultiplyAdd(sum, alpha, beta * Vector128.Load(c)), c);
}
