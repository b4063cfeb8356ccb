using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// A pre-LayerNorm transformer block: x + Attn(LN(x)), then x + MLP(LN(x)). The residual path carries the
/// signal unchanged, each branch adds a correction (GPT-2's layout).
/// </summary>
public sealed class DecoderBlock : Module
{
    public LayerNorm Ln1 { get; }
    public SelfAttention Attn { get; }
    public LayerNorm Ln2 { get; }
    public FeedForward Mlp { get; }
    private readonly float _dropout;

    public DecoderBlock(Rng rng, int channels, int heads, bool bias, float dropout, float residualStd, IAttentionVariant variant)
    {
        Ln1 = new LayerNorm(channels, bias);
        Attn = new SelfAttention(rng, channels, heads, bias, residualStd, variant);
        Ln2 = new LayerNorm(channels, bias);
        Mlp = new FeedForward(rng, channels, 4 * channels, bias, residualStd);
        _dropout = dropout;
    }

    // x: (B, T, C) -> (B, T, C). dropoutRng null = evaluation (no dropout).
    public Variable Forward(Tape tape, Variable x, Rng? dropoutRng, LayerKvCache? cache = null)
    {
        var h = Ln1.Forward(tape, x);
        var a = cache == null ? Attn.Forward(tape, h, AttentionMask.CausalOnly) : Attn.ForwardCached(tape, h, cache);
        x = tape.Add(x, Drop(tape, a, dropoutRng));
        var m = Mlp.Forward(tape, Ln2.Forward(tape, x));
        return tape.Add(x, Drop(tape, m, dropoutRng));
    }

    private Variable Drop(Tape tape, Variable x, Rng? rng) => rng == null || _dropout == 0 ? x : tape.Dropout(x, _dropout, rng);

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("ln1", Ln1);
        yield return ("attn", Attn);
        yield return ("ln2", Ln2);
        yield return ("mlp", Mlp);
    }
}
