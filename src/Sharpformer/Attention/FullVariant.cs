using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// The materialised reference: builds the whole (B, nh, Tq, Tk) score matrix RW = Q·Kᵀ/√hs, masks it,
/// applies softmax row by row and multiplies by V. Memory grows as T².
/// </summary>
public sealed class FullVariant : IAttentionVariant
{
    public string Name => "full";

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask)
    {
        float scale = 1f / MathF.Sqrt(q.Dim(-1));
        var scores = tape.Scale(tape.MatMul(q, k, transB: true), scale); // (B, nh, Tq, Tk)
        if (mask.Causal || mask.KeyLengths != null) scores = tape.Mask(scores, mask.Causal, mask.KeyLengths);
        var weights = tape.Softmax(scores);
        return tape.MatMul(weights, v);                                     // (B, nh, Tq, hs)
    }
}
