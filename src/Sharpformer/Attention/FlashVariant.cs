using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// Exact attention in tiles with an online softmax (FlashAttention-2): never stores the t×t matrix, skips
/// tiles the mask hides entirely (about half of them when causal), and recomputes tiles in the backward
/// pass from each row's log-sum-exp. Same result as <see cref="FullVariant"/> to rounding, O(t) memory.
/// </summary>
internal sealed class FlashVariant : IAttentionVariant
{
    public string Name => "flash";

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask) =>
        tape.ScaledDotProductAttention(q, k, v, mask.Causal, mask.KeyLengths, AttentionKernel.Flash);
}
