namespace Sharpformer;

/// <summary>
/// What a <see cref="LanguageModel"/> computed in one forward pass over a text (<see cref="LanguageModel.Trace"/>):
/// the tokens, for every layer and head the attention's Q, K, V, scores RW = Q·Kᵀ/√hs, weights W = softmax(RW) and
/// output Y = W·V, every layer's feed-forward activations, and the most likely next tokens. The numbers are those
/// that <c>sharpformer explain --json</c> prints for the same text.
/// </summary>
public sealed class ForwardTrace
{
    internal ForwardTrace(IReadOnlyList<TracedToken> tokens, IReadOnlyList<LayerTrace> layers, IReadOnlyList<TokenProbability> nextTokens) =>
        (Tokens, Layers, NextTokens) = (tokens, layers, nextTokens);

    /// <summary>The text's tokens, in order: the rows of every matrix of the trace.</summary>
    public IReadOnlyList<TracedToken> Tokens { get; }

    /// <summary>The blocks, first to last.</summary>
    public IReadOnlyList<LayerTrace> Layers { get; }

    /// <summary>The most likely tokens after the last one, most likely first.</summary>
    public IReadOnlyList<TokenProbability> NextTokens { get; }
}

/// <summary>A token of the traced text.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Text">Its text, spaces shown as ·, line breaks as ⏎.</param>
public sealed record TracedToken(int Id, string Text);

/// <summary>A possible next token.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Text">Its text, spaces shown as ·, line breaks as ⏎.</param>
/// <param name="Probability">Its probability under the model.</param>
public sealed record TokenProbability(int Id, string Text, double Probability);

/// <summary>One block of the pass: its attention heads and its feed-forward activations.</summary>
public sealed class LayerTrace
{
    internal LayerTrace(int layer, IReadOnlyList<HeadTrace> heads, ActivationMatrix? feedForward) =>
        (Layer, Heads, FeedForward) = (layer, heads, feedForward);

    /// <summary>The block's index, from 0.</summary>
    public int Layer { get; }

    /// <summary>The self-attention heads, in order.</summary>
    public IReadOnlyList<HeadTrace> Heads { get; }

    /// <summary>
    /// The feed-forward block's activations after its nonlinearity, (tokens × hidden width); null for a model
    /// whose blocks have none (activation <c>none</c>).
    /// </summary>
    public ActivationMatrix? FeedForward { get; }
}

/// <summary>
/// One attention head. Q is (queries × d), K and V (keys × d) with d the head size (Q and K are the model's
/// width C for merged query–key attention); scores and weights are (queries × keys), a query's row listing
/// every key, with −∞ scores and 0 weights where the causal mask hides a later token; Y is (queries × head size).
/// In self-attention the queries and the keys are the same tokens; in a translator's cross-attention the queries
/// are the target tokens and the keys the source tokens.
/// </summary>
public sealed class HeadTrace
{
    internal HeadTrace(int head, ActivationMatrix query, ActivationMatrix key, ActivationMatrix value, ActivationMatrix scores,
        ActivationMatrix weights, ActivationMatrix output, double entropy, double maxWeight) =>
        (Head, Query, Key, Value, Scores, Weights, Output, Entropy, MaxWeight) = (head, query, key, value, scores, weights, output, entropy, maxWeight);

    /// <summary>The head's index, from 0.</summary>
    public int Head { get; }

    /// <summary>The queries Q.</summary>
    public ActivationMatrix Query { get; }

    /// <summary>The keys K.</summary>
    public ActivationMatrix Key { get; }

    /// <summary>The values V.</summary>
    public ActivationMatrix Value { get; }

    /// <summary>The scores RW = Q·Kᵀ/√hs, −∞ where masked.</summary>
    public ActivationMatrix Scores { get; }

    /// <summary>The weights W = softmax(RW): each row a distribution over the keys.</summary>
    public ActivationMatrix Weights { get; }

    /// <summary>The head's output Y = W·V.</summary>
    public ActivationMatrix Output { get; }

    /// <summary>The mean over rows of W of the entropy −Σ w·ln w, in nats: ln(keys) for a uniform row, 0 for a one-hot lookup.</summary>
    public double Entropy { get; }

    /// <summary>The mean over rows of W of the largest weight.</summary>
    public double MaxWeight { get; }
}
