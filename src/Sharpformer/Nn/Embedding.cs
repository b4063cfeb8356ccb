using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>A lookup table E (count, C): id i becomes row i, i.e. the product of its one-hot row with E.</summary>
internal sealed class Embedding(Rng rng, int count, int channels, float std = 0.02f) : Module
{
    public Variable Weight { get; } = Init.Normal(rng, std, "weight", count, channels);

    // ids (shape) -> (shape..., C)
    public Variable Forward(Tape tape, ReadOnlySpan<int> ids, params int[] idShape) => tape.Embedding(ids, idShape, Weight);

    protected override IEnumerable<(string, Variable)> OwnParameters() { yield return ("weight", Weight); }
}
