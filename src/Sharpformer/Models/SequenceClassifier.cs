using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Nn;
using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// An encoder-only transformer that reads a whole sequence and names its class (BERT-style, as in the Long
/// Range Arena): token and learned position embeddings, N pre-LN blocks of unmasked self-attention (padding keys
/// masked), a final LayerNorm, and a linear head on the first position, which holds the classification token.
/// </summary>
internal sealed class SequenceClassifier : Module
{
    public SequenceClassifierConfig Config { get; }
    public Embedding TokenEmbedding { get; }
    public Embedding PositionEmbedding { get; }
    public TransformerBlock[] Blocks { get; }
    public Nn.LayerNorm FinalNorm { get; }
    public Linear Head { get; }

    public SequenceClassifier(SequenceClassifierConfig config, ulong seed)
    {
        Config = config.Validated();
        var rng = new Rng(seed);
        var variant = AttentionVariants.Create(config.Attention);
        // As in GPT-2: residual projections scaled by 1/√(2N) keep the residual stream's variance O(1).
        float residualStd = 0.02f / MathF.Sqrt(2 * config.Layers);
        TokenEmbedding = new Embedding(rng, config.VocabSize, config.Embedding);
        PositionEmbedding = new Embedding(rng, config.MaxLength, config.Embedding);
        Blocks = Enumerable.Range(0, config.Layers)
            .Select(_ => new TransformerBlock(rng, config.Embedding, config.Heads, config.Bias, config.Dropout, residualStd, variant, hidden: config.Hidden))
            .ToArray();
        FinalNorm = new Nn.LayerNorm(config.Embedding, config.Bias);
        Head = new Linear(rng, config.Embedding, config.Classes, bias: true);
    }

    /// <summary>
    /// Class logits (B, classes) for right-padded ids (B, T) whose first token is the classification token;
    /// <paramref name="lengths"/> gives each row's real length (keys past it are padding). dropoutRng null = evaluation.
    /// </summary>
    public Variable Forward(Tape tape, ReadOnlySpan<int> ids, int batch, int time, int[] lengths, Rng? dropoutRng = null)
    {
        if (batch < 1 || time < 1 || ids.Length != batch * time)
            throw new ArgumentException($"classifier: {ids.Length} ids do not form a batch of {batch}×{time}.");
        if (time > Config.MaxLength)
            throw new ArgumentException($"classifier: a sequence of {time} tokens exceeds max_length {Config.MaxLength}.");
        if (lengths.Length != batch || lengths.Any(n => n < 1 || n > time))
            throw new ArgumentException($"classifier: need {batch} lengths in [1, {time}], got [{string.Join(", ", lengths)}].");
        int c = Config.Embedding;
        Span<int> positions = stackalloc int[time];
        for (int t = 0; t < time; t++) positions[t] = t;
        var x = tape.Add(TokenEmbedding.Forward(tape, ids, batch, time),   // (B, T, C)
            PositionEmbedding.Forward(tape, positions, time));              // (T, C), broadcast over B
        if (dropoutRng != null && Config.Dropout > 0) x = tape.Dropout(x, Config.Dropout, dropoutRng);
        var mask = new AttentionMask(false, lengths);
        for (int l = 0; l < Blocks.Length; l++)
        {
            tape.ObserveLayer(ActivationNames.Encoder, l);                 // an observer sees the blocks as an encoder
            x = Blocks[l].Forward(tape, x, mask, dropoutRng);
        }
        tape.ObserveLayer(ActivationNames.Encoder, ActivationSite.Outside);
        // Pooling is a row lookup: row b·T of the (B·T, C) activations, whose backward scatters into that row.
        var first = new int[batch];
        for (int b = 0; b < batch; b++) first[b] = b * time;
        var pooled = tape.Embedding(first, [batch], tape.Reshape(x, batch * time, c));   // (B, T, C) -> (B, C)
        return Head.Forward(tape, FinalNorm.Forward(tape, pooled));                       // (B, classes)
    }

    /// <summary>Mean cross-entropy of the labels (B) given the batch.</summary>
    public Variable Loss(Tape tape, ReadOnlySpan<int> ids, int batch, int time, int[] lengths, ReadOnlySpan<int> labels, Rng? dropoutRng = null) =>
        tape.CrossEntropy(Forward(tape, ids, batch, time, lengths, dropoutRng), labels);

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("wte", TokenEmbedding);
        yield return ("wpe", PositionEmbedding);
        for (int l = 0; l < Blocks.Length; l++) yield return ($"blocks.{l}", Blocks[l]);
        yield return ("ln_f", FinalNorm);
        yield return ("head", Head);
    }
}
