using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// Multi-head self-attention: one fused projection gives Q = X·W_q, K = X·W_k, V = X·W_v, the heads
/// attend independently (the key–value lookup softmax(Q·Kᵀ/√hs)·V), and a projection mixes them back.
/// </summary>
internal sealed class SelfAttention : Module
{
    public Linear Qkv { get; }
    public Linear Proj { get; }
    public int Heads { get; }
    public IAttentionVariant Variant { get; }

    public SelfAttention(Rng rng, int channels, int heads, bool bias, float residualStd, IAttentionVariant variant)
    {
        if (channels % heads != 0) throw new ArgumentException($"Embedding width {channels} does not divide into {heads} heads.");
        Qkv = new Linear(rng, channels, 3 * channels, bias);
        Proj = new Linear(rng, channels, channels, bias, residualStd);
        Heads = heads;
        Variant = variant;
    }

    // x: (B, T, C) -> (B, T, C)
    public Variable Forward(Tape tape, Variable x, AttentionMask mask)
    {
        var qkv = Qkv.Forward(tape, x);                                   // (B, T, 3C)
        var q = tape.SplitHeads(qkv, Heads, part: 0, parts: 3);          // (B, nh, T, hs)
        var k = tape.SplitHeads(qkv, Heads, part: 1, parts: 3);
        var v = tape.SplitHeads(qkv, Heads, part: 2, parts: 3);
        var y = Variant.Forward(tape, q, k, v, mask);                    // (B, nh, T, hs)
        return Proj.Forward(tape, tape.MergeHeads(y));                    // (B, T, C)
    }

    /// <summary>
    /// Decoding with a cache: x holds only the new positions (B, Tnew, C); their keys and values are
    /// appended to <paramref name="cache"/> (with the queries, for a variant that chooses keys from past
    /// queries) and the queries attend over everything cached so far.
    /// </summary>
    public Variable ForwardCached(Tape tape, Variable x, LayerKvCache cache)
    {
        var qkv = Qkv.Forward(tape, x);
        var q = tape.SplitHeads(qkv, Heads, part: 0, parts: 3);          // (B, nh, Tnew, hs)
        bool keepQueries = Variant.ChoosesFromPastQueries;
        cache.Append(tape.SplitHeads(qkv, Heads, part: 1, parts: 3).Value, tape.SplitHeads(qkv, Heads, part: 2, parts: 3).Value,
            keepQueries ? q.Value : null);
        var (k, v) = cache.View(tape);                                     // (B, nh, Tcached, hs)
        var y = Variant.ForwardCached(tape, q, k, v, keepQueries ? cache.ViewQueries(tape) : null);
        return Proj.Forward(tape, tape.MergeHeads(y));
    }

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("qkv", Qkv);
        yield return ("proj", Proj);
    }
}
