using Sharpformer.Inspection;

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
        var layers = stack.Layers.Select(layer => TraceParts.SelfAttentionLayer(recorder, stack.Name, layer)).ToArray();
        return new ForwardTrace(TraceParts.Tokens(stack), layers, TraceParts.NextTokens(explanation));
    }
}
