using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// The Vector512 micro-kernel: one 14×32 tile of C held in 28 zmm accumulators (two 16-float vectors
/// per row) while k runs over 14 rows of A (a packed panel, or the rows as stored) and a packed B panel
/// (32 columns).
/// Each k step loads two B vectors and broadcasts 14 A values: 28 independent FMAs, enough to cover
/// the 4-cycle FMA latency on both FMA ports, with 31 of the 32 vector registers in use.
/// A tile at the bottom edge of C runs a copy compiled for fewer rows (<see cref="IGemmRowCount"/>),
/// which neither computes nor writes the missing rows.
/// </summary>
internal static unsafe class GemmKernel512
{
    /// <summary>Rows and columns of the tile.</summary>
    public const int MR = 14, NR = 32;

    /// <summary>How many k steps (of 128 bytes of B each) the B stream is prefetched ahead.</summary>
    private const int PrefetchSteps = 24;

    /// <summary>
    /// C tile (rows×32, row stride <paramref name="ldc"/>) = alpha·(A rows · B panel) + beta·C tile,
    /// or alpha·(A·B) without reading C when <paramref name="overwrite"/>. A(r, p) is read at
    /// a[r·<paramref name="rowStep"/> + p·<paramref name="kStep"/>]. The kc floats from
    /// <paramref name="prefetch"/> on (a row of A a later tile needs) are fetched into cache along the way.
    /// </summary>
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
            case 7: Run<Rows7>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 8: Run<Rows8>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 9: Run<Rows9>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 10: Run<Rows10>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 11: Run<Rows11>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 12: Run<Rows12>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 13: Run<Rows13>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            case 14: Run<Rows14>(kc, a, rowStep, kStep, b, c, ldc, alpha, beta, overwrite, prefetch); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 14 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Run<TRows>(int kc, float* a, nint rowStep, nint kStep, float* b, float* c, int ldc, float alpha, float beta, bool overwrite, float* prefetch)
        where TRows : struct, IGemmRowCount
    {
        // Row r of A lies r·L bytes from the current k step. With L, 3L, 5L, …, 13L held in registers,
        // every row is one x86 address [a + index·scale] (scale 1, 2, 4 or 8: 6L = 3L·2, 12L = 3L·4,
        // 10L = 5L·2), so the 14 broadcasts need no arithmetic and any row stride runs as fast as a constant.
        nint l1 = rowStep * sizeof(float), l3 = 3 * l1, l5 = 5 * l1, l7 = 7 * l1, l9 = 9 * l1, l11 = 11 * l1, l13 = 13 * l1;
        nint step = kStep * sizeof(float);
        byte* ak = (byte*)a;
        // The C tile is read (or written) only after the k loop: fetch its lines meanwhile.
        if (TRows.Value > 0) { Simd.Prefetch(c + 0 * ldc); Simd.Prefetch(c + 0 * ldc + 16); }
        if (TRows.Value > 1) { Simd.Prefetch(c + 1 * ldc); Simd.Prefetch(c + 1 * ldc + 16); }
        if (TRows.Value > 2) { Simd.Prefetch(c + 2 * ldc); Simd.Prefetch(c + 2 * ldc + 16); }
        if (TRows.Value > 3) { Simd.Prefetch(c + 3 * ldc); Simd.Prefetch(c + 3 * ldc + 16); }
        if (TRows.Value > 4) { Simd.Prefetch(c + 4 * ldc); Simd.Prefetch(c + 4 * ldc + 16); }
        if (TRows.Value > 5) { Simd.Prefetch(c + 5 * ldc); Simd.Prefetch(c + 5 * ldc + 16); }
        if (TRows.Value > 6) { Simd.Prefetch(c + 6 * ldc); Simd.Prefetch(c + 6 * ldc + 16); }
        if (TRows.Value > 7) { Simd.Prefetch(c + 7 * ldc); Simd.Prefetch(c + 7 * ldc + 16); }
        if (TRows.Value > 8) { Simd.Prefetch(c + 8 * ldc); Simd.Prefetch(c + 8 * ldc + 16); }
        if (TRows.Value > 9) { Simd.Prefetch(c + 9 * ldc); Simd.Prefetch(c + 9 * ldc + 16); }
        if (TRows.Value > 10) { Simd.Prefetch(c + 10 * ldc); Simd.Prefetch(c + 10 * ldc + 16); }
        if (TRows.Value > 11) { Simd.Prefetch(c + 11 * ldc); Simd.Prefetch(c + 11 * ldc + 16); }
        if (TRows.Value > 12) { Simd.Prefetch(c + 12 * ldc); Simd.Prefetch(c + 12 * ldc + 16); }
        if (TRows.Value > 13) { Simd.Prefetch(c + 13 * ldc); Simd.Prefetch(c + 13 * ldc + 16); }
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
            // B streams from L2, or for the first tile after a block switch from the L2 of the core
            // that packed it: ask for the lines far enough ahead to cover that latency too.
            Simd.Prefetch(b + PrefetchSteps * NR);
            Simd.Prefetch(b + PrefetchSteps * NR + 16);
            // One line of the row to fetch every 16 k steps, so the requests go out evenly instead of
            // in a burst that would wait for free miss buffers.
            if ((p & 15) == 0) Simd.Prefetch(prefetch + p);
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> av;
            if (TRows.Value > 0) { av = Vector512.Create(*(float*)(ak)); c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01); }
            if (TRows.Value > 1) { av = Vector512.Create(*(float*)(ak + l1)); c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11); }
            if (TRows.Value > 2) { av = Vector512.Create(*(float*)(ak + l1 * 2)); c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21); }
            if (TRows.Value > 3) { av = Vector512.Create(*(float*)(ak + l3)); c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31); }
            if (TRows.Value > 4) { av = Vector512.Create(*(float*)(ak + l1 * 4)); c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41); }
            if (TRows.Value > 5) { av = Vector512.Create(*(float*)(ak + l5)); c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51); }
            if (TRows.Value > 6) { av = Vector512.Create(*(float*)(ak + l3 * 2)); c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61); }
            if (TRows.Value > 7) { av = Vector512.Create(*(float*)(ak + l7)); c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71); }
            if (TRows.Value > 8) { av = Vector512.Create(*(float*)(ak + l1 * 8)); c80 = Vector512.FusedMultiplyAdd(av, b0, c80); c81 = Vector512.FusedMultiplyAdd(av, b1, c81); }
            if (TRows.Value > 9) { av = Vector512.Create(*(float*)(ak + l9)); c90 = Vector512.FusedMultiplyAdd(av, b0, c90); c91 = Vector512.FusedMultiplyAdd(av, b1, c91); }
            if (TRows.Value > 10) { av = Vector512.Create(*(float*)(ak + l5 * 2)); c100 = Vector512.FusedMultiplyAdd(av, b0, c100); c101 = Vector512.FusedMultiplyAdd(av, b1, c101); }
            if (TRows.Value > 11) { av = Vector512.Create(*(float*)(ak + l11)); c110 = Vector512.FusedMultiplyAdd(av, b0, c110); c111 = Vector512.FusedMultiplyAdd(av, b1, c111); }
            if (TRows.Value > 12) { av = Vector512.Create(*(float*)(ak + l3 * 4)); c120 = Vector512.FusedMultiplyAdd(av, b0, c120); c121 = Vector512.FusedMultiplyAdd(av, b1, c121); }
            if (TRows.Value > 13) { av = Vector512.Create(*(float*)(ak + l13)); c130 = Vector512.FusedMultiplyAdd(av, b0, c130); c131 = Vector512.FusedMultiplyAdd(av, b1, c131); }
            ak += step;
            b += NR;
        }

        Vector512<float> alphaV = Vector512.Create(alpha), betaV = Vector512.Create(beta);
        if (TRows.Value > 0) StoreRow(c + 0 * ldc, c00, c01, alphaV, betaV, overwrite);
        if (TRows.Value > 1) StoreRow(c + 1 * ldc, c10, c11, alphaV, betaV, overwrite);
        if (TRows.Value > 2) StoreRow(c + 2 * ldc, c20, c21, alphaV, betaV, overwrite);
        if (TRows.Value > 3) StoreRow(c + 3 * ldc, c30, c31, alphaV, betaV, overwrite);
        if (TRows.Value > 4) StoreRow(c + 4 * ldc, c40, c41, alphaV, betaV, overwrite);
        if (TRows.Value > 5) StoreRow(c + 5 * ldc, c50, c51, alphaV, betaV, overwrite);
        if (TRows.Value > 6) StoreRow(c + 6 * ldc, c60, c61, alphaV, betaV, overwrite);
        if (TRows.Value > 7) StoreRow(c + 7 * ldc, c70, c71, alphaV, betaV, overwrite);
        if (TRows.Value > 8) StoreRow(c + 8 * ldc, c80, c81, alphaV, betaV, overwrite);
        if (TRows.Value > 9) StoreRow(c + 9 * ldc, c90, c91, alphaV, betaV, overwrite);
        if (TRows.Value > 10) StoreRow(c + 10 * ldc, c100, c101, alphaV, betaV, overwrite);
        if (TRows.Value > 11) StoreRow(c + 11 * ldc, c110, c111, alphaV, betaV, overwrite);
        if (TRows.Value > 12) StoreRow(c + 12 * ldc, c120, c121, alphaV, betaV, overwrite);
        if (TRows.Value > 13) StoreRow(c + 13 * ldc, c130, c131, alphaV, betaV, overwrite);
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
