using Sharpformer.Autograd;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Attention;

/// <summary>
/// Reformer's hashing attention: keys are the normalised queries (the k input is ignored and gets a zero
/// gradient), positions are hashed into <paramref name="buckets"/> buckets by random rotations, sorted by
/// (bucket, position) and cut into chunks of <paramref name="chunkSize"/>; each chunk attends to itself and
/// the chunk before it, in <paramref name="rounds"/> independent hashings combined by their log-sum-exp.
/// The rotations are drawn once from <paramref name="seed"/>. Needs Tq = Tk (no decoding cache).
/// </summary>
internal sealed class LshVariant : IAttentionVariant
{
    private readonly Dictionary<int, float[]> _rotations = [];

    public LshVariant(int buckets = 16, int chunkSize = 64, int rounds = 2, ulong seed = 0)
    {
        Options = new LshOptions(buckets, chunkSize, rounds, ExcludeSelf: true);
        try { Options.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException(e.Message, nameof(buckets), e); }
        Seed = seed;
    }

    public LshOptions Options { get; }
    public ulong Seed { get; }

    public string Name => $"lsh:{Options.Buckets}:{Options.ChunkSize}:{Options.Rounds}";

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask) =>
        tape.SharedKeyLshAttention(q, k, v, mask.Causal, mask.KeyLengths, Options, RotationsFor(q.Dim(3)));

    /// <summary>The random rotations (rounds, hs, buckets / 2) for head size hs, drawn once.</summary>
    public float[] RotationsFor(int headSize)
    {
        lock (_rotations)
        {
            if (_rotations.TryGetValue(headSize, out var rotations)) return rotations;
            rotations = new float[Options.RotationSize(headSize)];
            new Rng(Seed).FillNormal(rotations, 1f);
            _rotations[headSize] = rotations;
            return rotations;
        }
    }
}
