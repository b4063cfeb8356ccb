using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// The Vector512 micro-kernel: one 14×32 tile of C held in 28 zmm accumulators (two 16-float vectors
/// per row) while k runs over a packed A panel (14 rows) and a packed B panel (32 columns).
/// Each k step loads two B vectors and broadcasts 14 A values: 28 independent FMAs, enough to cover
/// the 4-cycle FMA latency on both FMA ports, with 31 of the 32 vector registers in use.
/// </summary>
internal static unsafe class GemmKernel512
{
    /// <summary>
    /// C tile (14×32, row stride <paramref name="ldc"/>) = alpha·(A panel · B panel) + beta·C tile,
    /// or alpha·(A·B) without reading C when <paramref name="overwrite"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Run<TLayout>(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta, bool overwrite)
        where TLayout : struct, IGemmPanelLayout
    {
        // The C tile is read (or written) only after the k loop: fetch its 28 lines meanwhile.
        Sse.Prefetch0(c + 0 * ldc); Sse.Prefetch0(c + 0 * ldc + 16);
        Sse.Prefetch0(c + 1 * ldc); Sse.Prefetch0(c + 1 * ldc + 16);
        Sse.Prefetch0(c + 2 * ldc); Sse.Prefetch0(c + 2 * ldc + 16);
        Sse.Prefetch0(c + 3 * ldc); Sse.Prefetch0(c + 3 * ldc + 16);
        Sse.Prefetch0(c + 4 * ldc); Sse.Prefetch0(c + 4 * ldc + 16);
        Sse.Prefetch0(c + 5 * ldc); Sse.Prefetch0(c + 5 * ldc + 16);
        Sse.Prefetch0(c + 6 * ldc); Sse.Prefetch0(c + 6 * ldc + 16);
        Sse.Prefetch0(c + 7 * ldc); Sse.Prefetch0(c + 7 * ldc + 16);
        Sse.Prefetch0(c + 8 * ldc); Sse.Prefetch0(c + 8 * ldc + 16);
        Sse.Prefetch0(c + 9 * ldc); Sse.Prefetch0(c + 9 * ldc + 16);
        Sse.Prefetch0(c + 10 * ldc); Sse.Prefetch0(c + 10 * ldc + 16);
        Sse.Prefetch0(c + 11 * ldc); Sse.Prefetch0(c + 11 * ldc + 16);
        Sse.Prefetch0(c + 12 * ldc); Sse.Prefetch0(c + 12 * ldc + 16);
        Sse.Prefetch0(c + 13 * ldc); Sse.Prefetch0(c + 13 * ldc + 16);
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero, c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero, c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero, c51 = Vector512<float>.Zero;
        Vector512<float> c60 = Vector512<float>.Zero, c61 = Vector512<float>.Zero;
        Vector512<float> c70 = Vector512<float>.Zero, c71 = Vector512<float>.Zero;
        Vector512<float> c80 = Vector512<float>.Zero, c81 = Vector512<float>.Zero;
        Vector512<float> c90 = Vector512<float>.Zero, c91 = Vector512<float>.Zero;
        Vector512<float> c100 = Vector512<float>.Zero, c101 = Vector512<float>.Zero;
        Vector512<float> c110 = Vector512<float>.Zero, c111 = Vector512<float>.Zero;
        Vector512<float> c120 = Vector512<float>.Zero, c121 = Vector512<float>.Zero;
        Vector512<float> c130 = Vector512<float>.Zero, c131 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            // B streams from L2: ask for the lines eight k steps ahead.
            Sse.Prefetch0(b + 8 * GemmBlocking.NR);
            Sse.Prefetch0(b + 8 * GemmBlocking.NR + 16);
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            av = Vector512.Create(a[0 * TLayout.RowStep]); c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1 * TLayout.RowStep]); c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2 * TLayout.RowStep]); c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3 * TLayout.RowStep]); c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4 * TLayout.RowStep]); c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5 * TLayout.RowStep]); c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6 * TLayout.RowStep]); c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7 * TLayout.RowStep]); c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            av = Vector512.Create(a[8 * TLayout.RowStep]); c80 = Vector512.FusedMultiplyAdd(av, b0, c80); c81 = Vector512.FusedMultiplyAdd(av, b1, c81);
            av = Vector512.Create(a[9 * TLayout.RowStep]); c90 = Vector512.FusedMultiplyAdd(av, b0, c90); c91 = Vector512.FusedMultiplyAdd(av, b1, c91);
            av = Vector512.Create(a[10 * TLayout.RowStep]); c100 = Vector512.FusedMultiplyAdd(av, b0, c100); c101 = Vector512.FusedMultiplyAdd(av, b1, c101);
            av = Vector512.Create(a[11 * TLayout.RowStep]); c110 = Vector512.FusedMultiplyAdd(av, b0, c110); c111 = Vector512.FusedMultiplyAdd(av, b1, c111);
            av = Vector512.Create(a[12 * TLayout.RowStep]); c120 = Vector512.FusedMultiplyAdd(av, b0, c120); c121 = Vector512.FusedMultiplyAdd(av, b1, c121);
            av = Vector512.Create(a[13 * TLayout.RowStep]); c130 = Vector512.FusedMultiplyAdd(av, b0, c130); c131 = Vector512.FusedMultiplyAdd(av, b1, c131);
            a += TLayout.KStep;
            b += GemmBlocking.NR;
        }

        Vector512<float> alphaV = Vector512.Create(alpha), betaV = Vector512.Create(beta);
        StoreRow(c + 0 * ldc, c00, c01, alphaV, betaV, overwrite);
        StoreRow(c + 1 * ldc, c10, c11, alphaV, betaV, overwrite);
        StoreRow(c + 2 * ldc, c20, c21, alphaV, betaV, overwrite);
        StoreRow(c + 3 * ldc, c30, c31, alphaV, betaV, overwrite);
        StoreRow(c + 4 * ldc, c40, c41, alphaV, betaV, overwrite);
        StoreRow(c + 5 * ldc, c50, c51, alphaV, betaV, overwrite);
        StoreRow(c + 6 * ldc, c60, c61, alphaV, betaV, overwrite);
        StoreRow(c + 7 * ldc, c70, c71, alphaV, betaV, overwrite);
        StoreRow(c + 8 * ldc, c80, c81, alphaV, betaV, overwrite);
        StoreRow(c + 9 * ldc, c90, c91, alphaV, betaV, overwrite);
        StoreRow(c + 10 * ldc, c100, c101, alphaV, betaV, overwrite);
        StoreRow(c + 11 * ldc, c110, c111, alphaV, betaV, overwrite);
        StoreRow(c + 12 * ldc, c120, c121, alphaV, betaV, overwrite);
        StoreRow(c + 13 * ldc, c130, c131, alphaV, betaV, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> s0, Vector512<float> s1, Vector512<float> alpha, Vector512<float> beta, bool overwrite)
    {
        if (overwrite)
        {
            Vector512.Store(s0 * alpha, c);
            Vector512.Store(s1 * alpha, c + 16);
        }
        else
        {
            Vector512.Store(Vector512.FusedMultiplyAdd(s0, alpha, beta * Vector512.Load(c)), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(s1, alpha, beta * Vector512.Load(c + 16)), c + 16);
        }
    }
}
