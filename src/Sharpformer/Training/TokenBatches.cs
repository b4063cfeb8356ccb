using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>
/// A token stream split into train (the first fraction) and validation (the rest), with random contiguous
/// blocks for language-model training: inputs ids[s .. s+T), targets ids[s+1 .. s+T+1).
/// </summary>
internal sealed class TokenBatches
{
    public int[] Train { get; }
    public int[] Validation { get; }

    public TokenBatches(int[] tokens, double trainFraction, int blockSize)
    {
        if (trainFraction <= 0 || trainFraction > 1) throw new ArgumentException($"Train fraction must be in (0, 1], got {trainFraction}.");
        int n = (int)(tokens.Length * trainFraction);
        Train = tokens[..n];
        Validation = tokens[n..];
        if (Train.Length <= blockSize)
            throw new ArgumentException($"The training split has {Train.Length} tokens; it needs more than block_size {blockSize}.");
    }

    public int[] Split(string name) => name switch
    {
        "train" => Train,
        "val" => Validation,
        _ => throw new ArgumentException($"Unknown split '{name}'; expected train or val."),
    };

    /// <summary>Fills (B, T) inputs and targets with blocks starting at uniform random offsets.</summary>
    public static void Sample(int[] split, Rng rng, int batch, int time, Span<int> inputs, Span<int> targets)
    {
        if (split.Length <= time) throw new ArgumentException($"A split of {split.Length} tokens is too short for blocks of {time}.");
        for (int b = 0; b < batch; b++)
        {
            int start = rng.NextInt(split.Length - time);
            split.AsSpan(start, time).CopyTo(inputs.Slice(b * time, time));
            split.AsSpan(start + 1, time).CopyTo(targets.Slice(b * time, time));
        }
    }
}
