using Sharpformer.Inspection;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer;

public sealed partial class LanguageModel
{
    /// <summary>
    /// Runs the model once over <paramref name="text"/> and returns what it computed on the way: every head's Q, K, V,
    /// scores, weights and output, every layer's feed-forward activations, and the <paramref name="topTokens"/> most
    /// likely next tokens (<see cref="ForwardTrace"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty or longer than <see cref="ContextLength"/> tokens, or
    /// <paramref name="topTokens"/> is below 1.</exception>
    public ForwardTrace Trace(string text, int topTokens = 5)
    {
        ArgumentNullException.ThrowIfNull(text);
        _turn.Wait();
        Explanation explanation;
        ActivationRecorder recorder;
        try { (explanation, recorder) = Explainer.Record(_model, _tokenizer, text, new ExplainOptions(TopTokens: topTokens, TopNeurons: 0)); }
        finally { _turn.Release(); }
        var stack = explanation.Stacks[0];
        var layers = stack.Layers.Select(layer => new LayerTrace(layer.Layer,
            layer.Attention[0].Heads.Select(Head).ToArray(),
            recorder.Has(N.Decoder, layer.Layer, N.MlpActivation) ? Matrix(recorder.Get(N.Decoder, layer.Layer, N.MlpActivation)) : null)).ToArray();
        return new ForwardTrace(stack.Tokens.Select(t => new TracedToken(t.Id, t.Text)).ToArray(), layers,
            explanation.NextTokens.Select(t => new TokenProbability(t.Id, t.Text, t.Value)).ToArray());
    }

    private static HeadTrace Head(ExplainedHead h) => new(h.Head, new(h.Q), new(h.K), new(h.V),
        new(h.Scores.Select(row => row.Select(s => s ?? float.NegativeInfinity).ToArray()).ToArray()), new(h.Weights), new(h.Y), h.Entropy, h.MaxWeight);

    // (1, T, H) -> T rows of H
    private static ActivationMatrix Matrix(Tensors.Tensor x)
    {
        int columns = x.Dim(-1);
        return new(Enumerable.Range(0, x.Size / columns).Select(i => x.Span.Slice(i * columns, columns).ToArray()).ToArray());
    }
}
