using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// Attention with one merged matrix M_h = W_q,h·W_k,hᵀ (C × C) per head in place of the separate W_q,h and W_k,h:
/// the scores are RW_h = X·M_h·Xᵀ/√hs, the quadratic form of the matrix discussion (without a nonlinearity
/// between them, Q·Kᵀ = X·W_q·W_kᵀ·Xᵀ was never more than one matrix between two copies of X). The layer hands
/// over queries X·M_h (B, nh, Tq, C) and keys X itself (B, nh, Tk, C, every head the same), values X·W_v as
/// usual (B, nh, Tk, hs), and the output projection mixes the heads as before. What it costs: nh·C² parameters
/// for the scores instead of the 2·C² of W_q and W_k (and no bias on them), C-wide instead of hs-wide query–key
/// products (nh times the work of the scores), and a KV cache whose keys are C wide. Exact, with the scores
/// materialised (Tq × Tk per head) as <see cref="FullVariant"/> keeps them, from ops each checked on its own.
/// </summary>
internal sealed class MergedQueryKeyVariant : IAttentionVariant
{
    public string Name => "merged-qk";

    public bool MergesQueryKey => true;

    // q, k: (B, nh, Tq or Tk, C); v: (B, nh, Tk, hs) -> (B, nh, Tq, hs)
    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask)
    {
        var scores = tape.Scale(tape.MatMul(q, k, transB: true), 1f / MathF.Sqrt(v.Dim(3)));   // (B, nh, Tq, Tk)
        var weights = tape.Softmax(tape.Mask(scores, mask.Causal, mask.KeyLengths));
        return tape.MatMul(weights, v);
    }
}
