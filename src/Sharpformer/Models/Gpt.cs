using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Nn;
using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// A decoder-only transformer language model (GPT-2 layout): token and learned position embeddings,
/// N pre-LN blocks of causal self-attention and MLP, a final LayerNorm, and an output head tied to the
/// token embedding (logits = x·Eᵀ). Predicts each next token from the ones before it.
/// </summary>
internal sealed class Gpt : Module
{
    public GptConfig Config { get; }
    public Embedding TokenEmbedding { get; }
    public Embedding PositionEmbedding { get; }
    public TransformerBlock[] Blocks { get; }
    public Nn.LayerNorm FinalNorm { get; }

    public Gpt(GptConfig config, ulong seed)
    {
        Config = config.Validated();
        var rng = new Rng(seed);
        var variant = AttentionVariants.Create(config.Attention);
        // GPT-2: residual projections are scaled by 1/√(2N) so the residual stream's variance stays O(1).
        float residualStd = 0.02f / MathF.Sqrt(2 * config.Layers);
        TokenEmbedding = new Embedding(rng, config.VocabSize, config.Embedding);
        PositionEmbedding = new Embedding(rng, config.BlockSize, config.Embedding);
        Blocks = Enumerable.Range(0, config.Layers)
            .Select(_ => new TransformerBlock(rng, config.Embedding, config.Heads, config.Bias, config.Dropout, residualStd, variant,
                activation: config.HasFeedForward ? GptConfig.ParseActivation(config.Activation) : Activation.Gelu, feedForward: config.HasFeedForward))
            .ToArray();
        FinalNorm = new Nn.LayerNorm(config.Embedding, config.Bias);
    }

    /// <summary>
    /// Logits for every position. ids: (B, T) row-major with T ≤ block_size. dropoutRng null = evaluation.
    /// With <paramref name="cache"/>, ids are only the new positions and their positions continue the cache.
    /// A tape with an <see cref="Tape.Observer"/> receives the activations of the stack <c>decoder</c>.
    /// </summary>
    public Variable Forward(Tape tape, ReadOnlySpan<int> ids, int batch, int time, Rng? dropoutRng = null, KvCache? cache = null)
    {
        var logits = tape.Linear(HiddenStates(tape, ids, batch, time, dropoutRng, cache), TokenEmbedding.Weight); // (B, T, V), head tied to E
        tape.Observe(ActivationNames.Logits, logits);
        return logits;
    }

    /// <summary>The final LayerNorm's output for every position, (B, T, C): what the head turns into logits.</summary>
    public Variable HiddenStates(Tape tape, ReadOnlySpan<int> ids, int batch, int time, Rng? dropoutRng = null, KvCache? cache = null)
    {
        int start = cache?.Length ?? 0;
        if (batch < 1 || time < 1 || ids.Length != batch * time)
            throw new ArgumentException($"gpt: {ids.Length} ids do not form a batch of {batch}×{time}.");
        if (start + time > Config.BlockSize)
            throw new ArgumentException($"gpt: {start + time} positions exceed block_size {Config.BlockSize}.");
        Span<int> positions = stackalloc int[time];
        for (int t = 0; t < time; t++) positions[t] = start + t;
        var tok = TokenEmbedding.Forward(tape, ids, batch, time);         // (B, T, C)
        var pos = PositionEmbedding.Forward(tape, positions, time);      // (T, C), broadcast over B
        var x = tape.Add(tok, pos);
        tape.ObserveLayer(ActivationNames.Decoder, ActivationSite.Outside);
        tape.Observe(ActivationNames.TokenEmbedding, tok);
        tape.Observe(ActivationNames.Positions, pos);
        tape.Observe(ActivationNames.Input, x);
        if (dropoutRng != null && Config.Dropout > 0) x = tape.Dropout(x, Config.Dropout, dropoutRng);
        for (int l = 0; l < Blocks.Length; l++)
        {
            tape.ObserveLayer(ActivationNames.Decoder, l);
            x = Blocks[l].Forward(tape, x, AttentionMask.CausalOnly, dropoutRng, cache?.Layers[l]);
        }
        tape.ObserveLayer(ActivationNames.Decoder, ActivationSite.Outside);
        x = FinalNorm.Forward(tape, x);
        tape.Observe(ActivationNames.FinalNorm, x);
        return x;
    }

    /// <summary>
    /// One decoding step for several sequences at once: <paramref name="ids"/>[b] is the next token of the sequence cached
    /// in <paramref name="caches"/>[b] (a one-sequence cache; the sequences may have different lengths), at position
    /// caches[b].Length. Returns the logits (B, 1, V); on a tape that <see cref="Tape.KeepsRowsApart"/>, row b has the bits
    /// that <see cref="Forward"/> gives that sequence alone.
    /// </summary>
    public Variable ForwardRows(Tape tape, ReadOnlySpan<int> ids, IReadOnlyList<KvCache> caches)
    {
        int batch = ids.Length;
        if (batch < 1 || caches.Count != batch) throw new ArgumentException($"gpt rows: {batch} ids for {caches.Count} caches.");
        Span<int> positions = stackalloc int[batch];
        for (int b = 0; b < batch; b++)
        {
            positions[b] = caches[b].Length;
            if (positions[b] >= Config.BlockSize)
                throw new ArgumentException($"gpt rows: sequence {b} has {positions[b]} cached positions, the whole block_size {Config.BlockSize}.");
        }
        var tok = TokenEmbedding.Forward(tape, ids, batch, 1);            // (B, 1, C)
        var pos = PositionEmbedding.Forward(tape, positions, batch, 1);   // (B, 1, C): each row at its own position
        var x = tape.Add(tok, pos);
        var layerCaches = new LayerKvCache[batch];
        for (int l = 0; l < Blocks.Length; l++)
        {
            for (int b = 0; b < batch; b++) layerCaches[b] = caches[b].Layers[l];
            x = Blocks[l].Forward(tape, x, AttentionMask.CausalOnly, dropoutRng: null, rowCaches: layerCaches);
        }
        x = FinalNorm.Forward(tape, x);
        return tape.Linear(x, TokenEmbedding.Weight);                     // (B, 1, V)
    }

    /// <summary>Mean next-token cross-entropy of <paramref name="targets"/> (B·T) given ids (B, T).</summary>
    public Variable Loss(Tape tape, ReadOnlySpan<int> ids, ReadOnlySpan<int> targets, int batch, int time, Rng? dropoutRng = null) =>
        tape.CrossEntropy(Forward(tape, ids, batch, time, dropoutRng), targets);

    public KvCache NewCache(int batch) => new(this, batch);

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("wte", TokenEmbedding);
        yield return ("wpe", PositionEmbedding);
        for (int l = 0; l < Blocks.Length; l++) yield return ($"blocks.{l}", Blocks[l]);
        yield return ("ln_f", FinalNorm);
    }

    /// <summary>One <see cref="LayerKvCache"/> per block, sized to the block size.</summary>
    public sealed class KvCache
    {
        public LayerKvCache[] Layers { get; }

        internal KvCache(Gpt model, int batch) =>
            Layers = model.Blocks.Select(b => new LayerKvCache(batch, model.Config.Heads, model.Config.BlockSize, model.Config.HeadSize, b.Attn.KeyWidth)).ToArray();

        public int Length => Layers[0].Length;
        public void Clear() { foreach (var l in Layers) l.Clear(); }
    }
}
