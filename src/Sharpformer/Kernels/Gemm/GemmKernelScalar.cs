using System.Runtime.CompilerServices;

namespace Sharpformer.Kernels;

/// <summary>
/// The micro-kernel for machines without vectors (or with them turned off): a 4×4 tile of C in 16 scalar
/// accumulators, fed by the same packing, blocking and threads as the vector paths, so a product still reuses
/// each loaded value four times and runs on every core.
/// </summary>
internal static unsafe class GemmKernelScalar
{
    public const int MR = 4, NR = 4;

    /// <summary>Same contract as <see cref="GemmKernel512.Run"/> for a tile of 1 to 4 rows and 4 columns.</summary>
    public static void Run(int rows, int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite)
    {
        switch (rows)
        {
            case 1: Run<Rows1>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 2: Run<Rows2>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 3: Run<Rows3>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            case 4: Run<Rows4>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 4 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Run<TRows>(int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite)
        where TRows : struct, IGemmRowCount
    {
        float* a0 = a, a1 = a + rowStep, a2 = a + 2 * rowStep, a3 = a + 3 * rowStep;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (nint p = 0, at = 0; p < kc; p++, at += kStep)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float av;
            if (TRows.Value > 0) { av = a0[at]; c00 += av * b0; c01 += av * b1; c02 += av * b2; c03 += av * b3; }
            if (TRows.Value > 1) { av = a1[at]; c10 += av * b0; c11 += av * b1; c12 += av * b2; c13 += av * b3; }
            if (TRows.Value > 2) { av = a2[at]; c20 += av * b0; c21 += av * b1; c22 += av * b2; c23 += av * b3; }
            if (TRows.Value > 3) { av = a3[at]; c30 += av * b0; c31 += av * b1; c32 += av * b2; c33 += av * b3; }
            b += NR;
        }

        if (TRows.Value > 0) StoreRow(c + 0 * ldc, c00, c01, c02, c03, alpha, beta, overwrite);
        if (TRows.Value > 1) StoreRow(c + 1 * ldc, c10, c11, c12, c13, alpha, beta, overwrite);
        if (TRows.Value > 2) StoreRow(c + 2 * ldc, c20, c21, c22, c23, alpha, beta, overwrite);
        if (TRows.Value > 3) StoreRow(c + 3 * ldc, c30, c31, c32, c33, alpha, beta, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, float s0, float s1, float s2, float s3, float alpha, float beta, bool overwrite)
    {
        if (overwrite)
        {
            c[0] = s0 * alpha; c[1] = s1 * alpha; c[2] = s2 * alpha; c[3] = s3 * alpha;
            return;
        }
        c[0] = s0 * alpha + beta * c[0]; c[1] = s1 * alpha + beta * c[1];
        c[2] = s2 * alpha + beta * c[2]; c[3] = s3 * alpha + beta * c[3];
    }
}
