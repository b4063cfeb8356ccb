using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// One way of computing softmax(Q·Kᵀ/√hs + mask)·V — exactly (full, flash) or approximately (sparse,
/// hashing, top-k). Every model picks its variant by name in its config.
/// </summary>
public interface IAttentionVariant
{
    string Name { get; }

    // q: (B, nh, Tq, hs); k, v: (B, nh, Tk, hs) -> (B, nh, Tq, hs)
    Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask);
}
