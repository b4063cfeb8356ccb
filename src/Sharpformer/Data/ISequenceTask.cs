using Sharpformer.Tensors;

namespace Sharpformer.Data;

/// <summary>
/// A synthetic next-token task for a decoder-only model: each draw fills one sequence of exactly
/// <see cref="Length"/> input tokens and, aligned with them, the token each position must predict, or
/// <see cref="IgnoreIndex"/> where the position is not scored. Everything drawn comes from the generator
/// passed in, so the same seed gives the same sequences.
/// </summary>
internal interface ISequenceTask
{
    /// <summary>The target of a position that is neither trained nor scored (the cross-entropy's ignore index).</summary>
    const int IgnoreIndex = -1;

    /// <summary>A short name for reports, e.g. "recall".</summary>
    string Name { get; }

    /// <summary>T: tokens per sequence.</summary>
    int Length { get; }

    /// <summary>V: token ids lie in [0, V).</summary>
    int VocabSize { get; }

    /// <summary>The accuracy on scored positions of a model that guesses uniformly among the possible answers.</summary>
    double ChanceAccuracy { get; }

    /// <summary>Fills <paramref name="inputs"/> (T) and <paramref name="targets"/> (T) with one fresh sequence.</summary>
    void Sample(Rng rng, Span<int> inputs, Span<int> targets);

    /// <summary>
    /// The same task at another length (everything else unchanged), for a length curriculum; throws an
    /// <see cref="ArgumentException"/> when the task's content does not fit in <paramref name="length"/> tokens.
    /// </summary>
    ISequenceTask WithLength(int length);
}
