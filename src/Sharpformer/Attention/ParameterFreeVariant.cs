using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// The parameter-free attention of the matrix discussion, Y = softmax(X·Xᵀ/√hs)·X per head: queries, keys and
/// values are the layer's input itself (in cross-attention, the decoder's input against the encoder output),
/// so a token attends to the tokens whose vectors point its way. Exact, as <see cref="FullVariant"/>, on those
/// inputs; the learned Q, K, V projections of the layer are left unused (they keep their place in the model
/// and its files, and receive no gradient), the output projection still mixes the heads.
/// </summary>
internal sealed class ParameterFreeVariant : IAttentionVariant
{
    public string Name => "parameter-free";

    public bool ReadsInputAsQueryKeyValue => true;

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask) =>
        tape.ScaledDotProductAttention(q, k, v, mask.Causal, mask.KeyLengths, AttentionKernel.Full);
}
