namespace Sharpformer;

/// <summary>
/// What a <see cref="TranslationModel"/> computed in one teacher-forced pass (<see cref="TranslationModel.Trace"/>): the
/// encoder reading the source, the decoder reading begin-of-sentence and the target prefix, for every layer and head
/// Q, K, V, scores, weights and output (encoder self-attention; decoder self-attention and cross-attention), every
/// layer's feed-forward activations, and the most likely next target tokens. The numbers are those that
/// <c>sharpformer explain --json</c> prints for the same source and target.
/// </summary>
public sealed class TranslationTrace
{
    internal TranslationTrace(IReadOnlyList<TracedToken> sourceTokens, IReadOnlyList<TracedToken> targetTokens, IReadOnlyList<LayerTrace> encoderLayers,
        IReadOnlyList<DecoderLayerTrace> decoderLayers, IReadOnlyList<TokenProbability> nextTokens) =>
        (SourceTokens, TargetTokens, EncoderLayers, DecoderLayers, NextTokens) = (sourceTokens, targetTokens, encoderLayers, decoderLayers, nextTokens);

    /// <summary>The source's tokens, in order: the rows of the encoder's matrices and the keys of cross-attention.</summary>
    public IReadOnlyList<TracedToken> SourceTokens { get; }

    /// <summary>
    /// The tokens the decoder read: begin-of-sentence (<c>&lt;s&gt;</c>) and then the target prefix's, in order: the rows
    /// of the decoder's matrices.
    /// </summary>
    public IReadOnlyList<TracedToken> TargetTokens { get; }

    /// <summary>The encoder's blocks, first to last: self-attention heads over the source (no mask) and feed-forward activations.</summary>
    public IReadOnlyList<LayerTrace> EncoderLayers { get; }

    /// <summary>The decoder's blocks, first to last.</summary>
    public IReadOnlyList<DecoderLayerTrace> DecoderLayers { get; }

    /// <summary>The most likely target tokens after the last of <see cref="TargetTokens"/>, most likely first.</summary>
    public IReadOnlyList<TokenProbability> NextTokens { get; }
}

/// <summary>One decoder block of a translation pass: its causal self-attention, its cross-attention and its feed-forward activations.</summary>
public sealed class DecoderLayerTrace
{
    internal DecoderLayerTrace(int layer, IReadOnlyList<HeadTrace> selfAttention, IReadOnlyList<HeadTrace> crossAttention, ActivationMatrix? feedForward) =>
        (Layer, SelfAttention, CrossAttention, FeedForward) = (layer, selfAttention, crossAttention, feedForward);

    /// <summary>The block's index, from 0.</summary>
    public int Layer { get; }

    /// <summary>The self-attention heads over the target tokens, in order; scores and weights are (target × target), causal.</summary>
    public IReadOnlyList<HeadTrace> SelfAttention { get; }

    /// <summary>
    /// The cross-attention heads, in order: queries are the target tokens, keys and values the source tokens (the
    /// encoder's output); scores and weights are (target × source), unmasked.
    /// </summary>
    public IReadOnlyList<HeadTrace> CrossAttention { get; }

    /// <summary>
    /// The feed-forward block's activations after its nonlinearity, (target tokens × hidden width); null for a model
    /// whose blocks have none (activation <c>none</c>).
    /// </summary>
    public ActivationMatrix? FeedForward { get; }
}
