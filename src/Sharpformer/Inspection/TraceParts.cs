using Sharpformer.Tensors;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer.Inspection;

/// <summary>
/// The public trace types (<see cref="ForwardTrace"/>, <see cref="TranslationTrace"/>) made from what an <see cref="Explainer"/>
/// pass arranged and recorded: the same numbers, copied into read-only matrices, nothing computed again.
/// </summary>
internal static class TraceParts
{
    public static TracedToken[] Tokens(ExplainedStack stack) => stack.Tokens.Select(t => new TracedToken(t.Id, t.Text)).ToArray();

    public static TokenProbability[] NextTokens(Explanation explanation) =>
        explanation.NextTokens.Select(t => new TokenProbability(t.Id, t.Text, t.Value)).ToArray();

    /// <summary>The heads of the layer's attention of <paramref name="kind"/> (<c>self</c> or <c>cross</c>).</summary>
    public static HeadTrace[] Heads(ExplainedLayer layer, string kind) => layer.Attention.Single(a => a.Kind == kind).Heads.Select(Head).ToArray();

    /// <summary>The layer's feed-forward activations after the nonlinearity, (T, hidden); null where the block has none.</summary>
    public static ActivationMatrix? FeedForward(ActivationRecorder recorder, string stack, int layer) =>
        recorder.Has(stack, layer, N.MlpActivation) ? Matrix(recorder.Get(stack, layer, N.MlpActivation)) : null;

    /// <summary>One block of a stack whose blocks have self-attention only (a GPT's, a translator's encoder).</summary>
    public static LayerTrace SelfAttentionLayer(ActivationRecorder recorder, string stack, ExplainedLayer layer) =>
        new(layer.Layer, Heads(layer, "self"), FeedForward(recorder, stack, layer.Layer));

    private static HeadTrace Head(ExplainedHead h) => new(h.Head, new(h.Q), new(h.K), new(h.V),
        new(h.Scores.Select(row => row.Select(s => s ?? float.NegativeInfinity).ToArray()).ToArray()), new(h.Weights), new(h.Y), h.Entropy, h.MaxWeight);

    // (1, T, H) -> T rows of H
    private static ActivationMatrix Matrix(Tensor x)
    {
        int columns = x.Dim(-1);
        return new(Enumerable.Range(0, x.Size / columns).Select(i => x.Span.Slice(i * columns, columns).ToArray()).ToArray());
    }
}
