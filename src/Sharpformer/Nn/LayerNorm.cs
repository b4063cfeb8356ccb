using Sharpformer.Autograd;

namespace Sharpformer.Nn;

/// <summary>Layer normalisation over the channels with a learned gain (ones) and optional bias (zeros).</summary>
internal sealed class LayerNorm(int channels, bool bias) : Module
{
    public Variable Weight { get; } = Init.Ones("weight", channels);
    public Variable? Bias { get; } = bias ? Init.Zeros("bias", channels) : null;

    // (..., C) -> (..., C)
    public Variable Forward(Tape tape, Variable x) => tape.LayerNorm(x, Weight, Bias);

    protected override IEnumerable<(string, Variable)> OwnParameters()
    {
        yield return ("weight", Weight);
        if (Bias != null) yield return ("bias", Bias);
    }
}
