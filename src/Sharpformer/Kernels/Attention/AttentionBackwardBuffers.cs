namespace Sharpformer.Kernels;

/// <summary>
/// Per-thread buffers of a tiled attention backward pass (flash, block-sparse): one head's packed operands and
/// gradient sums, and one tile's blocks, each counted by its kernel's <paramref name="counter"/>.
/// </summary>
internal sealed class AttentionBackwardBuffers(AttentionScratchCounter counter)
{
    public readonly AttentionScratch Queries = new(counter), OutputGrad = new(counter),
        Keys = new(counter), KeysT = new(counter), ValuesT = new(counter),
        QueryGrad = new(counter), Rows = new(counter), KeyGrad = new(counter),
        ValueGrad = new(counter), Probabilities = new(counter), ScoreGrad = new(counter);
}
