using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// The position-wise MLP of a transformer block: C → 4C → GELU (or ReLU) → C. The nonlinearity is what lets
/// the block compute more than a quadratic form of its input.
/// </summary>
internal sealed class FeedForward : Module
{
    public Linear Up { get; }
    public Linear Down { get; }
    public Activation Activation { get; }

    /// <param name="residualStd">std of the output projection (GPT-2 scales it by 1/√(2·layers)).</param>
    public FeedForward(Rng rng, int channels, int hidden, bool bias, float residualStd, Activation activation = Activation.Gelu)
    {
        Up = new Linear(rng, channels, hidden, bias);
        Down = new Linear(rng, hidden, channels, bias, residualStd);
        Activation = activation;
    }

    // (..., C) -> (..., 4C) -> (..., C)
    public Variable Forward(Tape tape, Variable x)
    {
        var h = Up.Forward(tape, x);
        tape.Observe(ActivationNames.MlpHidden, h);
        h = Activation switch
        {
            Activation.Gelu => tape.Gelu(h),
            Activation.GeluExact => tape.GeluExact(h),
            Activation.Identity => h,
            _ => tape.Relu(h),
        };
        tape.Observe(ActivationNames.MlpActivation, h);
        var output = Down.Forward(tape, h);
        tape.Observe(ActivationNames.MlpOut, output);
        return output;
    }

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("up", Up);
        yield return ("down", Down);
    }
}

/// <summary>
/// The MLP's nonlinearity: GELU in GPT-2's tanh form, GELU exact (x·Φ(x), PyTorch's default), ReLU, or none
/// (identity: the block is then one linear map, W_down·W_up, for the experiment without the nonlinearity).
/// </summary>
internal enum Activation { Gelu, GeluExact, Relu, Identity }
