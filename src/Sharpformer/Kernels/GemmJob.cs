using System.Runtime.InteropServices;

namespace Sharpformer.Kernels;

/// <summary>
/// The state of one blocked product, reused by every product started on the same thread (so a call
/// allocates nothing once warm). Its items are what the threads share: packing one B panel, or
/// computing one row tile of C against the whole packed B block.
/// </summary>
internal sealed unsafe class GemmJob : IParallelBody
{
    public enum Stage { PackB, Compute }

    private const int MR = GemmBlocking.MR, NR = GemmBlocking.NR;

    [ThreadStatic] private static GemmJob? t_job;

    public static GemmJob ForCurrentThread() => t_job ??= new GemmJob();

    // The packed B block (KcMax × NcMax), shared read-only by the threads while they compute.
    private readonly float* _packedB = (float*)NativeMemory.AlignedAlloc(GemmBlocking.BBlockFloats * sizeof(float), 64);

    public Stage Phase;
    private GemmPath _path;
    private bool _transA, _transB, _overwrite;
    private int _m, _lda, _ldb, _ldc;
    private float* _a, _b, _c;
    private float _alpha, _beta;
    private int _jc, _nc, _pc, _kc;

    ~GemmJob() => NativeMemory.AlignedFree(_packedB);

    public void Begin(GemmPath path, bool transA, bool transB, int m, float* a, int lda, float* b, int ldb, float* c, int ldc, float alpha)
    {
        _path = path;
        _transA = transA;
        _transB = transB;
        _m = m;
        _a = a; _lda = lda;
        _b = b; _ldb = ldb;
        _c = c; _ldc = ldc;
        _alpha = alpha;
    }

    /// <summary>Selects the (kc, nc) block of op(B) starting at (pc, jc) and how C is updated by it.</summary>
    public void SetBlock(int jc, int nc, int pc, int kc, float beta, bool overwrite)
    {
        _jc = jc; _nc = nc; _pc = pc; _kc = kc;
        _beta = beta;
        _overwrite = overwrite;
    }

    /// <summary>Drops the caller's pointers so nothing outlives the call that pinned them.</summary>
    public void End()
    {
        _a = _b = _c = null;
    }

    public void Execute(int index)
    {
        if (Phase == Stage.PackB) PackPanel(index);
        else ComputeRowTile(index);
    }

    // B panel `index`: columns [index·NR, index·NR + NR) of the block → packed rows of NR floats.
    private void PackPanel(int index)
    {
        int j0 = index * NR;
        int cols = Math.Min(NR, _nc - j0);
        float* dst = _packedB + (long)index * _kc * NR;
        if (_transB) GemmPacking.PackBTransposed(_b + (long)(_jc + j0) * _ldb + _pc, _ldb, cols, _kc, dst);
        else GemmPacking.PackB(_b + (long)_pc * _ldb + _jc + j0, _ldb, cols, _kc, dst);
    }

    // Rows [index·MR, index·MR + MR) of C in this column block, against every packed B panel.
    private void ComputeRowTile(int index)
    {
        int i0 = index * MR;
        int rows = Math.Min(MR, _m - i0);
        int kc = _kc;
        GemmScratch scratch = GemmScratch.ForCurrentThread();
        float* panelA = scratch.PanelA;
        if (_transA) GemmPacking.PackAKMajor(_a + (long)_pc * _lda + i0, _lda, rows, kc, panelA, wideRowsReadable: i0 + 16 <= _m);
        else GemmPacking.PackARowMajor(_a + (long)i0 * _lda + _pc, _lda, rows, kc, panelA);

        float* cRow = _c + (long)i0 * _ldc + _jc;
        int panels = (_nc + NR - 1) / NR;
        for (int jr = 0; jr < panels; jr++)
        {
            int cols = Math.Min(NR, _nc - jr * NR);
            float* panelB = _packedB + (long)jr * kc * NR;
            float* cTile = cRow + jr * NR;
            if (rows == MR && cols == NR)
            {
                GemmDriver.RunKernel(_path, _transA, kc, panelA, panelB, cTile, _ldc, _alpha, _beta, _overwrite);
                continue;
            }
            // Edge tile: compute the whole tile aside, then update only the part inside C.
            float* tile = scratch.EdgeTile;
            GemmDriver.RunKernel(_path, _transA, kc, panelA, panelB, tile, NR, 1f, 0f, overwrite: true);
            for (int r = 0; r < rows; r++)
            {
                float* target = cTile + (long)r * _ldc;
                float* sum = tile + r * NR;
                if (_overwrite)
                    for (int j = 0; j < cols; j++) target[j] = sum[j] * _alpha;
                else
                    for (int j = 0; j < cols; j++) target[j] = MathF.FusedMultiplyAdd(sum[j], _alpha, _beta * target[j]);
            }
        }
    }
}

/// <summary>Per-thread buffers of a thread that computes row tiles: its A panel and an edge tile.</summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? t_scratch;

    public static GemmScratch ForCurrentThread() => t_scratch ??= new GemmScratch();

    public readonly float* PanelA = (float*)NativeMemory.AlignedAlloc(GemmBlocking.APanelFloats * sizeof(float), 64);
    public readonly float* EdgeTile = (float*)NativeMemory.AlignedAlloc(GemmBlocking.MR * GemmBlocking.NR * sizeof(float), 64);

    ~GemmScratch()
    {
        NativeMemory.AlignedFree(PanelA);
        NativeMemory.AlignedFree(EdgeTile);
    }
}
