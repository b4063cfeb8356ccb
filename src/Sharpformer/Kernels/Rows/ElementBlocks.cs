namespace Sharpformer.Kernels;

/// <summary>
/// Splits an elementwise loop over a long buffer into fixed blocks that run in parallel when the buffer is
/// large; each element is computed the same way on any thread, so results do not depend on the thread count.
/// </summary>
internal static class ElementBlocks
{
    /// <summary>Elements per block: a multiple of every vector width, so splitting a buffer moves no element from a vector loop into a scalar tail.</summary>
    public const int ElementsPerBlock = 16 * 1024;

    /// <summary>Runs <paramref name="body"/>(start, length) over [0, length) in blocks.</summary>
    public static void For(int length, long workPerElement, Action<int, int> body)
    {
        int blocks = (length + ElementsPerBlock - 1) / ElementsPerBlock;
        if (blocks <= 1) { body(0, length); return; }
        Parallelism.For(blocks, b =>
        {
            int start = b * ElementsPerBlock;
            body(start, Math.Min(ElementsPerBlock, length - start));
        }, workPerElement * ElementsPerBlock);
    }
}
