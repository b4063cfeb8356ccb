using Sharpformer.Autograd;

namespace Sharpformer.Attention;

/// <summary>
/// One way of computing softmax(Q·Kᵀ/√hs + mask)·V — exactly (full, flash) or approximately (sparse,
/// hashing, top-k). Every model picks its variant by name in its config.
/// </summary>
internal interface IAttentionVariant
{
    string Name { get; }

    // q: (B, nh, Tq, hs); k, v: (B, nh, Tk, hs) -> (B, nh, Tq, hs)
    Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask);

    /// <summary>
    /// True when which keys a query reads depends on earlier queries too (topk's tile summaries): cached
    /// decoding then keeps every query and passes them to <see cref="ForwardCached"/>, so that a token decoded
    /// alone reads the same keys as in a whole-sequence pass.
    /// </summary>
    bool ChoosesFromPastQueries => false;

    /// <summary>
    /// True for the parameter-free form softmax(X·Xᵀ/√hs)·X: the attention layer hands its input, split into
    /// heads, over as queries, keys and values instead of projecting it with learned W_q, W_k, W_v.
    /// </summary>
    bool ReadsInputAsQueryKeyValue => false;

    /// <summary>
    /// True for merged query–key attention (<see cref="MergedQueryKeyVariant"/>): the layer computes queries with one
    /// learned C × C matrix per head and passes its input itself as the keys, so q and k are (B, nh, T, C) while v
    /// stays (B, nh, T, hs); the scores are still scaled by 1/√hs.
    /// </summary>
    bool MergesQueryKey => false;

    /// <summary>
    /// Causal decoding with a KV cache: q holds the newest queries (B, nh, Tnew, hs), k and v every cached
    /// position (B, nh, Tk, hs), the newest last; <paramref name="pastQueries"/> (B, nh, Tk, hs) every cached
    /// query when <see cref="ChoosesFromPastQueries"/>, else null.
    /// </summary>
    Variable ForwardCached(Tape tape, Variable q, Variable k, Variable v, Variable? pastQueries) =>
        Forward(tape, q, k, v, AttentionMask.CausalOnly);
}
