using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// A pre-LayerNorm transformer block: x + SelfAttn(LN(x)), then — in a translation decoder — x +
/// CrossAttn(LN(x), encoder output), then x + MLP(LN(x)). The residual path carries the signal unchanged;
/// each branch adds a correction. The same block is a GPT layer (causal, no cross-attention), an encoder
/// layer (not causal, padding mask) and a translation decoder layer (causal, with cross-attention).
/// </summary>
internal sealed class TransformerBlock : Module
{
    public LayerNorm Ln1 { get; }
    public SelfAttention Attn { get; }
    public LayerNorm? LnCross { get; }
    public CrossAttention? Cross { get; }
    /// <summary>The feed-forward block's norm; null in a block built without one.</summary>
    public LayerNorm? Ln2 { get; }
    /// <summary>The feed-forward block; null in a block built without one (attention only).</summary>
    public FeedForward? Mlp { get; }
    private readonly float _dropout;

    public TransformerBlock(Rng rng, int channels, int heads, bool bias, float dropout, float residualStd, IAttentionVariant variant,
        bool crossAttention = false, int? hidden = null, Activation activation = Activation.Gelu, bool feedForward = true)
    {
        Ln1 = new LayerNorm(channels, bias);
        Attn = new SelfAttention(rng, channels, heads, bias, residualStd, variant);
        if (crossAttention)
        {
            LnCross = new LayerNorm(channels, bias);
            Cross = new CrossAttention(rng, channels, heads, bias, residualStd, variant);
        }
        if (feedForward)
        {
            Ln2 = new LayerNorm(channels, bias);
            Mlp = new FeedForward(rng, channels, hidden ?? 4 * channels, bias, residualStd, activation);
        }
        _dropout = dropout;
    }

    /// <summary>
    /// x: (B, T, C) -> (B, T, C). <paramref name="selfMask"/> masks self-attention; <paramref name="memory"/> is
    /// the encoder output for cross-attention; with <paramref name="cache"/>, x holds only new positions.
    /// dropoutRng null = evaluation (no dropout). With <paramref name="rowCaches"/>, x (B, 1, C) holds one new token of
    /// each of B sequences, row b cached in rowCaches[b] (see <see cref="SelfAttention.ForwardCachedRows"/>).
    /// </summary>
    public Variable Forward(Tape tape, Variable x, AttentionMask selfMask, Rng? dropoutRng, LayerKvCache? cache = null, CrossMemory? memory = null,
        IReadOnlyList<LayerKvCache>? rowCaches = null)
    {
        var h = Ln1.Forward(tape, x);
        tape.Observe(ActivationNames.Ln1, h);
        var a = rowCaches != null ? Attn.ForwardCachedRows(tape, h, rowCaches)
            : cache == null ? Attn.Forward(tape, h, selfMask) : Attn.ForwardCached(tape, h, cache);
        x = tape.Add(x, Drop(tape, a, dropoutRng));
        tape.Observe(ActivationNames.AfterAttention, x);
        if (Cross != null)
        {
            if (memory == null) throw new ArgumentException("A block with cross-attention needs the encoder memory.");
            var hc = LnCross!.Forward(tape, x);
            tape.Observe(ActivationNames.LnCross, hc);
            x = tape.Add(x, Drop(tape, Cross.Forward(tape, hc, memory), dropoutRng));
            tape.Observe(ActivationNames.AfterCross, x);
        }
        if (Mlp != null)
        {
            var h2 = Ln2!.Forward(tape, x);
            tape.Observe(ActivationNames.Ln2, h2);
            x = tape.Add(x, Drop(tape, Mlp.Forward(tape, h2), dropoutRng));
        }
        tape.Observe(ActivationNames.Output, x);
        return x;
    }

    private Variable Drop(Tape tape, Variable x, Rng? rng) => rng == null || _dropout == 0 ? x : tape.Dropout(x, _dropout, rng);

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("ln1", Ln1);
        yield return ("attn", Attn);
        if (Cross != null)
        {
            yield return ("ln_cross", LnCross!);
            yield return ("cross", Cross);
        }
        if (Mlp == null) yield break;
        yield return ("ln2", Ln2!);
        yield return ("mlp", Mlp);
    }
}
