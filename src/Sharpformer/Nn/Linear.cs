using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>y = x·Wᵀ + b with W (out, in) drawn from N(0, std²) and b zero (or absent).</summary>
internal sealed class Linear : Module
{
    public Variable Weight { get; }
    public Variable? Bias { get; }

    public Linear(Rng rng, int inFeatures, int outFeatures, bool bias, float std = 0.02f)
    {
        Weight = Init.Normal(rng, std, "weight", outFeatures, inFeatures);
        Bias = bias ? Init.Zeros("bias", outFeatures) : null;
    }

    /// <summary>A layer with the given weight (out, in) and bias (out) or none.</summary>
    public Linear(Tensor weight, Tensor? bias)
    {
        Weight = Variable.Parameter(weight, "weight");
        Bias = bias == null ? null : Variable.Parameter(bias, "bias");
    }

    // (..., in) -> (..., out)
    public Variable Forward(Tape tape, Variable x) => tape.Linear(x, Weight, Bias);

    protected override IEnumerable<(string, Variable)> OwnParameters()
    {
        yield return ("weight", Weight);
        if (Bias != null) yield return ("bias", Bias);
    }
}
