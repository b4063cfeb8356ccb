using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// The materialised reference: computes the whole (B, nh, Tq, Tk) matrix RW = Q·Kᵀ/√hs, masks it,
/// applies softmax row by row and multiplies by V, as one fused op. Memory grows as T².
/// </summary>
internal sealed class FullVariant : IAttentionVariant
{
    public string Name => "full";

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask) =>
        tape.ScaledDotProductAttention(q, k, v, mask.Causal, mask.KeyLengths, AttentionKernel.Full);
}
