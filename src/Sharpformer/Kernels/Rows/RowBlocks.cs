namespace Sharpformer.Kernels;

/// <summary>
/// Splits a row loop into fixed blocks whose boundaries do not depend on the thread count, so a
/// reduction over rows (a bias or LayerNorm weight gradient) sums in the same order on 1 or 2 threads
/// and gives the same bits.
/// </summary>
internal static class RowBlocks
{
    public const int RowsPerBlock = 64;

    public static int Count(int rows) => (rows + RowsPerBlock - 1) / RowsPerBlock;

    public static (int Start, int End) Range(int block, int rows) =>
        (block * RowsPerBlock, Math.Min(rows, (block + 1) * RowsPerBlock));

    /// <summary>Runs <paramref name="body"/>(start, end) for each block, in parallel when the work is large enough.</summary>
    public static void For(int rows, long workPerRow, Action<int, int> body) =>
        Parallelism.For(Count(rows), b => { var (s, e) = Range(b, rows); body(s, e); }, workPerRow * RowsPerBlock);
}
