using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Nn;
using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// The encoder–decoder transformer of "Attention Is All You Need", in pre-LN form. The encoder reads the
/// whole source with self-attention (padding masked); the decoder predicts the target one token at a time
/// with causal self-attention and cross-attention over the encoder output. The output layer is tied to the
/// target embedding. Token embeddings are scaled by √C so they weigh as much as the position code.
/// </summary>
internal sealed class Translator : Module
{
    public TranslatorConfig Config { get; }
    public Embedding SourceEmbedding { get; }
    public Embedding TargetEmbedding { get; }
    public Embedding? SourcePositions { get; }
    public Embedding? TargetPositions { get; }
    public TransformerBlock[] Encoder { get; }
    public Nn.LayerNorm EncoderNorm { get; }
    public TransformerBlock[] Decoder { get; }
    public Nn.LayerNorm DecoderNorm { get; }

    private readonly Tensor? _sinusoids;   // (max_length, C) when positions are fixed
    private readonly float _embedScale;

    public Translator(TranslatorConfig config, ulong seed)
    {
        Config = config.Validated();
        var rng = new Rng(seed);
        int c = config.Embedding;
        var variant = AttentionVariants.Create(config.Attention);
        float embedStd = 1f / MathF.Sqrt(c);
        SourceEmbedding = new Embedding(rng, config.SourceVocab, c, embedStd);
        TargetEmbedding = config.SharedVocabulary ? SourceEmbedding : new Embedding(rng, config.TargetVocab, c, embedStd);
        _embedScale = MathF.Sqrt(c);
        if (config.Positions == "learned")
        {
            SourcePositions = new Embedding(rng, config.MaxLength, c);
            TargetPositions = new Embedding(rng, config.MaxLength, c);
        }
        else _sinusoids = SinusoidalPositions.Table(config.MaxLength, c);
        float residualStd = 0.02f / MathF.Sqrt(2 * (config.EncoderLayers + config.DecoderLayers));
        var activation = config.HasFeedForward ? GptConfig.ParseActivation(config.Activation) : Nn.Activation.Identity;
        Encoder = Enumerable.Range(0, config.EncoderLayers)
            .Select(_ => new TransformerBlock(rng, c, config.Heads, config.Bias, config.Dropout, residualStd, variant, hidden: config.Hidden,
                activation: activation, feedForward: config.HasFeedForward)).ToArray();
        EncoderNorm = new Nn.LayerNorm(c, config.Bias);
        Decoder = Enumerable.Range(0, config.DecoderLayers)
            .Select(_ => new TransformerBlock(rng, c, config.Heads, config.Bias, config.Dropout, residualStd, variant, crossAttention: true,
                hidden: config.Hidden, activation: activation, feedForward: config.HasFeedForward)).ToArray();
        DecoderNorm = new Nn.LayerNorm(c, config.Bias);
    }

    /// <summary>
    /// Encodes right-padded source ids (B, Ts) and returns each decoder layer's cross-attention keys and values.
    /// A tape with an <see cref="Tape.Observer"/> receives the activations of the stack <c>encoder</c>.
    /// </summary>
    public CrossMemory[] Encode(Tape tape, ReadOnlySpan<int> sourceIds, int batch, int time, int[] sourceLengths, Rng? dropoutRng = null)
    {
        RequireLength(time, "source");
        tape.ObserveLayer(ActivationNames.Encoder, ActivationSite.Outside);
        var x = Embed(tape, SourceEmbedding, SourcePositions, sourceIds, batch, time, 0, dropoutRng);
        var mask = new AttentionMask(false, sourceLengths);
        for (int l = 0; l < Encoder.Length; l++)
        {
            tape.ObserveLayer(ActivationNames.Encoder, l);
            x = Encoder[l].Forward(tape, x, mask, dropoutRng);
        }
        tape.ObserveLayer(ActivationNames.Encoder, ActivationSite.Outside);
        x = EncoderNorm.Forward(tape, x);                                             // (B, Ts, C)
        tape.Observe(ActivationNames.FinalNorm, x);
        return Decoder.Select(block => block.Cross!.Remember(tape, x, sourceLengths)).ToArray();
    }

    /// <summary>
    /// Logits (B, Tt, V) for target inputs (B, Tt). With <paramref name="cache"/>, the inputs are only the new
    /// positions, which continue after the cached ones. A tape with an <see cref="Tape.Observer"/> receives the
    /// activations of the stack <c>decoder</c>, cross-attention included.
    /// </summary>
    public Variable Decode(Tape tape, ReadOnlySpan<int> targetIds, int batch, int time, CrossMemory[] memory, Rng? dropoutRng = null, LayerKvCache[]? cache = null)
    {
        int start = cache?[0].Length ?? 0;
        RequireLength(start + time, "target");
        tape.ObserveLayer(ActivationNames.Decoder, ActivationSite.Outside);
        var x = Embed(tape, TargetEmbedding, TargetPositions, targetIds, batch, time, start, dropoutRng);
        for (int l = 0; l < Decoder.Length; l++)
        {
            tape.ObserveLayer(ActivationNames.Decoder, l);
            x = Decoder[l].Forward(tape, x, AttentionMask.CausalOnly, dropoutRng, cache?[l], memory[l]);
        }
        tape.ObserveLayer(ActivationNames.Decoder, ActivationSite.Outside);
        x = DecoderNorm.Forward(tape, x);
        tape.Observe(ActivationNames.FinalNorm, x);
        var logits = tape.Linear(x, TargetEmbedding.Weight);                           // (B, Tt, V), tied output
        tape.Observe(ActivationNames.Logits, logits);
        return logits;
    }

    /// <summary>Self-attention caches for decoding <paramref name="rows"/> sequences at once.</summary>
    public LayerKvCache[] NewDecoderCache(int rows) =>
        Decoder.Select(b => new LayerKvCache(rows, Config.Heads, Config.MaxLength, Config.Embedding / Config.Heads, b.Attn.KeyWidth)).ToArray();

    private Variable Embed(Tape tape, Embedding tokens, Embedding? positions, ReadOnlySpan<int> ids, int batch, int time, int start, Rng? dropoutRng)
    {
        var rows = tokens.Forward(tape, ids, batch, time);                             // (B, T, C)
        tape.Observe(ActivationNames.TokenEmbedding, rows);
        var x = tape.Scale(rows, _embedScale);
        Variable pos;
        if (positions != null)
        {
            Span<int> p = stackalloc int[time];
            for (int t = 0; t < time; t++) p[t] = start + t;
            pos = positions.Forward(tape, p, time);
        }
        else
        {
            var table = tape.Borrow(time, Config.Embedding);
            _sinusoids!.Span.Slice(start * Config.Embedding, time * Config.Embedding).CopyTo(table.Span);
            pos = Variable.Constant(table, "positions");
        }
        x = tape.Add(x, pos);                                                          // (T, C) broadcast over B
        tape.Observe(ActivationNames.Positions, pos);
        tape.Observe(ActivationNames.Input, x);
        return dropoutRng != null && Config.Dropout > 0 ? tape.Dropout(x, Config.Dropout, dropoutRng) : x;
    }

    private void RequireLength(int length, string side)
    {
        if (length > Config.MaxLength)
            throw new ArgumentException($"translator: a {side} of {length} tokens exceeds max_length {Config.MaxLength}.");
    }

    protected override IEnumerable<(string, Module)> Children()
    {
        if (Config.SharedVocabulary) yield return ("embed", SourceEmbedding);
        else
        {
            yield return ("src_embed", SourceEmbedding);
            yield return ("tgt_embed", TargetEmbedding);
        }
        if (SourcePositions != null) yield return ("src_pos", SourcePositions);
        if (TargetPositions != null) yield return ("tgt_pos", TargetPositions);
        for (int l = 0; l < Encoder.Length; l++) yield return ($"encoder.{l}", Encoder[l]);
        yield return ("encoder_norm", EncoderNorm);
        for (int l = 0; l < Decoder.Length; l++) yield return ($"decoder.{l}", Decoder[l]);
        yield return ("decoder_norm", DecoderNorm);
    }
}
