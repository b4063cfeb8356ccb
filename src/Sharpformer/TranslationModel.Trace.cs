using Sharpformer.Inspection;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer;

public sealed partial class TranslationModel
{
    /// <summary>
    /// Runs the translator once, teacher-forced: the encoder reads <paramref name="source"/>, the decoder begin-of-sentence
    /// and then <paramref name="target"/> (empty: begin-of-sentence alone). Returns what it computed on the way: every
    /// head's Q, K, V, scores, weights and output in encoder self-attention, decoder self-attention and cross-attention,
    /// every layer's feed-forward activations, and the <paramref name="topTokens"/> most likely target tokens after the
    /// prefix (<see cref="TranslationTrace"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The source is empty or longer than the model's context, the target with
    /// begin-of-sentence is longer than the context, or <paramref name="topTokens"/> is below 1.</exception>
    public TranslationTrace Trace(string source, string target, int topTokens = 5)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        Explanation explanation;
        ActivationRecorder recorder;
        lock (_turn) (explanation, recorder) = Explainer.Record(_model, _source, _target, source, target, new ExplainOptions(TopTokens: topTokens, TopNeurons: 0));
        ExplainedStack encoder = explanation.Stacks[0], decoder = explanation.Stacks[1];
        var encoderLayers = encoder.Layers.Select(layer => TraceParts.SelfAttentionLayer(recorder, N.Encoder, layer)).ToArray();
        var decoderLayers = decoder.Layers.Select(layer => new DecoderLayerTrace(layer.Layer, TraceParts.Heads(layer, "self"), TraceParts.Heads(layer, "cross"),
            TraceParts.FeedForward(recorder, N.Decoder, layer.Layer))).ToArray();
        return new TranslationTrace(TraceParts.Tokens(encoder), TraceParts.Tokens(decoder), encoderLayers, decoderLayers, TraceParts.NextTokens(explanation));
    }
}
