using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Nn;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer.Inspection;

/// <summary>
/// Which parts of the pass an <see cref="Explanation"/> holds: one <paramref name="Layer"/> and one
/// <paramref name="Head"/> or all (null); the <paramref name="TopTokens"/> most likely next tokens and tokens
/// each neuron promotes; the <paramref name="TopNeurons"/> most active neurons at each position.
/// </summary>
internal sealed record ExplainOptions(int? Layer = null, int? Head = null, int TopTokens = 5, int TopNeurons = 3);

/// <summary>
/// Runs one forward pass with an <see cref="ActivationRecorder"/> on the tape and arranges what it recorded
/// as an <see cref="Explanation"/>. Throws an <see cref="ArgumentException"/> for an empty text, one longer
/// than the model's context, or a layer or head out of range.
/// </summary>
internal static class Explainer
{
    /// <summary>A GPT reading <paramref name="text"/>; the next tokens are its prediction after the last one.</summary>
    public static Explanation Explain(Gpt model, ITokenizer tokenizer, string text, ExplainOptions? options = null) =>
        Record(model, tokenizer, text, options).Explanation;

    /// <summary>As <see cref="Explain(Gpt, ITokenizer, string, ExplainOptions?)"/>, with the recorder that holds every activation of the pass.</summary>
    public static (Explanation Explanation, ActivationRecorder Recorder) Record(Gpt model, ITokenizer tokenizer, string text, ExplainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new ExplainOptions();
        var ids = Tokens(tokenizer.Encode(text ?? ""), model.Config.BlockSize, "text", "block_size");
        Check(options, model.Config.Layers, model.Config.Heads);
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder }) model.Forward(tape, ids, 1, ids.Length);
        string Label(int id) => TokenText(tokenizer.Decode([id]));
        var lens = new TokenLens(model.TokenEmbedding.Weight.Value, model.FinalNorm.Weight.Value, model.FinalNorm.Bias?.Value, Label);
        var tokens = ids.Select(id => new ExplainedToken(id, Label(id))).ToArray();
        var stack = Stack(recorder, N.Decoder, tokens, model.Blocks, options, lens, logitLens: true, source: null);
        return (new Explanation("gpt", model.Config.Attention, [stack], NextTokens(recorder, lens, options)), recorder);
    }

    /// <summary>
    /// A translator reading the source <paramref name="text"/> and the decoder reading begin-of-sentence and then
    /// <paramref name="targetPrefix"/> (none: only begin-of-sentence); the next tokens are the target it predicts next.
    /// </summary>
    public static Explanation Explain(Translator model, TranslationVocabulary source, TranslationVocabulary target, string text,
        string? targetPrefix = null, ExplainOptions? options = null) =>
        Record(model, source, target, text, targetPrefix, options).Explanation;

    /// <summary>
    /// As <see cref="Explain(Translator, TranslationVocabulary, TranslationVocabulary, string, string?, ExplainOptions?)"/>, with the
    /// recorder that holds every activation of the pass.
    /// </summary>
    public static (Explanation Explanation, ActivationRecorder Recorder) Record(Translator model, TranslationVocabulary source, TranslationVocabulary target,
        string text, string? targetPrefix = null, ExplainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new ExplainOptions();
        var sourceIds = Tokens(source.Encode(text ?? ""), model.Config.MaxLength, "text", "max_length");
        int[] targetIds = [target.Bos, .. target.Encode(targetPrefix ?? "")];
        if (targetIds.Length > model.Config.MaxLength)
            throw new ArgumentException($"the target prefix with begin-of-sentence is {targetIds.Length} tokens, more than the model's max_length of {model.Config.MaxLength}.", nameof(targetPrefix));
        Check(options, Math.Max(model.Config.EncoderLayers, model.Config.DecoderLayers), model.Config.Heads);
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder })
            model.Decode(tape, targetIds, 1, targetIds.Length, model.Encode(tape, sourceIds, 1, sourceIds.Length, [sourceIds.Length]));
        string SourceLabel(int id) => VocabularyText(source, id);
        string TargetLabel(int id) => VocabularyText(target, id);
        var sourceTokens = sourceIds.Select(id => new ExplainedToken(id, SourceLabel(id))).ToArray();
        var targetTokens = targetIds.Select(id => new ExplainedToken(id, TargetLabel(id))).ToArray();
        // Encoder neurons are read against the source embedding (the tokens their output points toward); the
        // decoder's through the decoder norm and the tied output layer, as the model reads its residual stream.
        var sourceLens = new TokenLens(model.SourceEmbedding.Weight.Value, model.EncoderNorm.Weight.Value, model.EncoderNorm.Bias?.Value, SourceLabel);
        var targetLens = new TokenLens(model.TargetEmbedding.Weight.Value, model.DecoderNorm.Weight.Value, model.DecoderNorm.Bias?.Value, TargetLabel);
        var encoder = Stack(recorder, N.Encoder, sourceTokens, model.Encoder, options, sourceLens, logitLens: false, source: null);
        var decoder = Stack(recorder, N.Decoder, targetTokens, model.Decoder, options, targetLens, logitLens: true, source: sourceTokens);
        return (new Explanation("translator", model.Config.Attention, [encoder, decoder], NextTokens(recorder, targetLens, options)), recorder);
    }

    /// <summary>A token's text as a one-line label: spaces as ·, line breaks as ⏎, tabs as →.</summary>
    public static string TokenText(string text) => text.Replace(' ', '·').Replace("\r", "").Replace('\n', '⏎').Replace('\t', '→');

    private static string VocabularyText(TranslationVocabulary vocab, int id) =>
        id == vocab.Pad ? "<pad>" : id == vocab.Bos ? "<s>" : id == vocab.Eos ? "</s>" : TokenText(vocab.Tokenizer.Decode([id]));

    private static int[] Tokens(int[] ids, int context, string what, string field)
    {
        if (ids.Length == 0) throw new ArgumentException($"the {what} is empty; give at least one token.", what);
        if (ids.Length > context)
            throw new ArgumentException($"the {what} is {ids.Length} tokens, more than the model's {field} of {context}.", what);
        return ids;
    }

    private static void Check(ExplainOptions options, int layers, int heads)
    {
        Range(options.Layer, layers, "layer");
        Range(options.Head, heads, "head");
        if (options.TopTokens < 1 || options.TopNeurons < 0)
            throw new ArgumentException($"top tokens must be at least 1 and top neurons at least 0, got {options.TopTokens} and {options.TopNeurons}.", nameof(options));
    }

    // The parameter name says which option was out of range: "layer" or "head".
    private static void Range(int? chosen, int count, string what)
    {
        if (chosen is int i && (i < 0 || i >= count))
            throw new ArgumentException($"{what} {i} is out of range: the model has {count} {what}{(count == 1 ? "" : "s")} (0–{count - 1}).", what);
    }

    private static ExplainedStack Stack(ActivationRecorder r, string stack, ExplainedToken[] tokens, TransformerBlock[] blocks,
        ExplainOptions options, TokenLens lens, bool logitLens, ExplainedToken[]? source)
    {
        const int outside = ActivationSite.Outside;
        var layers = new List<ExplainedLayer>();
        for (int l = 0; l < blocks.Length; l++)
        {
            if (options.Layer is int only && only != l) continue;
            var attention = new List<ExplainedAttention> { Attention(r, stack, l, "self", stack == N.Decoder, tokens, options, N.Query, N.Key, N.Value, N.Scores, N.Weights, N.HeadOutput, N.Merged, N.AttentionOut) };
            if (source != null && r.Has(stack, l, N.CrossQuery))
                attention.Add(Attention(r, stack, l, "cross", false, source, options, N.CrossQuery, N.CrossKey, N.CrossValue, N.CrossScores, N.CrossWeights, N.CrossHeadOutput, N.CrossMerged, N.CrossOut));
            var lensRow = logitLens ? Rows(r.Get(stack, l, N.Output)).Select(x => lens.Read(x, 1)[0]).ToArray() : [];
            var neurons = blocks[l].Mlp is { } mlp ? Neurons(r.Get(stack, l, N.MlpActivation), mlp.Down.Weight.Value, lens, options) : [];
            layers.Add(new ExplainedLayer(l, [.. attention], neurons, lensRow));
        }
        return new ExplainedStack(stack, tokens, Rows(r.Get(stack, outside, N.TokenEmbedding)), Rows(r.Get(stack, outside, N.Positions)),
            Rows(r.Get(stack, outside, N.Input)), [.. layers]);
    }

    private static ExplainedAttention Attention(ActivationRecorder r, string stack, int layer, string kind, bool causal, ExplainedToken[] keys,
        ExplainOptions options, string q, string k, string v, string scores, string weights, string y, string merged, string projected)
    {
        int heads = r.Get(stack, layer, q).Dim(1);
        var explained = new List<ExplainedHead>();
        for (int h = 0; h < heads; h++)
        {
            if (options.Head is int only && only != h) continue;
            var w = r.Head(stack, layer, weights, h);
            var (entropy, maxWeight) = Peakedness(w);
            explained.Add(new ExplainedHead(h, Rows(r.Head(stack, layer, q, h)), Rows(r.Head(stack, layer, k, h)), Rows(r.Head(stack, layer, v, h)),
                Rows(r.Head(stack, layer, scores, h)).Select(row => row.Select(s => float.IsNegativeInfinity(s) ? (float?)null : s).ToArray()).ToArray(),
                Rows(w), Rows(r.Head(stack, layer, y, h)), entropy, maxWeight));
        }
        return new ExplainedAttention(kind, causal, keys, [.. explained], Rows(r.Get(stack, layer, merged)), Rows(r.Get(stack, layer, projected)));
    }

    /// <summary>Mean over the rows of W (Tq, Tk) of the row entropy −Σ w·ln w (nats) and of the largest weight.</summary>
    public static (double Entropy, double MaxWeight) Peakedness(Tensor weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int rows = weights.Dim(0), cols = weights.Dim(1);
        double entropy = 0, max = 0;
        for (int i = 0; i < rows; i++)
        {
            double rowMax = 0;
            for (int j = 0; j < cols; j++)
            {
                double w = weights[i, j];
                if (w > 0) entropy -= w * Math.Log(w);
                rowMax = Math.Max(rowMax, w);
            }
            max += rowMax;
        }
        return (entropy / rows, max / rows);
    }

    // activations (1, T, H); down (C, H): neuron n writes column n into the residual stream.
    private static ExplainedNeuron[] Neurons(Tensor activations, Tensor down, TokenLens lens, ExplainOptions options)
    {
        int t = activations.Dim(1), hidden = activations.Dim(2), c = down.Dim(0);
        var promoted = new Dictionary<int, RankedToken[]>();
        var column = new float[c];
        var neurons = new List<ExplainedNeuron>();
        for (int p = 0; p < t; p++)
        {
            var row = activations.Span.Slice(p * hidden, hidden).ToArray();
            foreach (int n in Enumerable.Range(0, hidden).OrderByDescending(n => row[n]).ThenBy(n => n).Take(options.TopNeurons))
            {
                if (!promoted.TryGetValue(n, out var tokens))
                {
                    for (int i = 0; i < c; i++) column[i] = down.Span[i * hidden + n];
                    promoted[n] = tokens = lens.Promoted(column, options.TopTokens);
                }
                neurons.Add(new ExplainedNeuron(p, n, row[n], tokens));
            }
        }
        return [.. neurons];
    }

    private static RankedToken[] NextTokens(ActivationRecorder r, TokenLens lens, ExplainOptions options)
    {
        var logits = r.Get(N.Decoder, ActivationSite.Outside, N.Logits);             // (1, T, V)
        int t = logits.Dim(1), v = logits.Dim(2);
        var last = logits.Span.Slice((t - 1) * v, v).ToArray().Select(x => (double)x).ToArray();
        return lens.Top(last, options.TopTokens, softmax: true);
    }

    // (…, rows, cols) of one sequence and head -> rows
    private static float[][] Rows(Tensor x)
    {
        int cols = x.Dim(-1), rows = x.Size / cols;
        return Enumerable.Range(0, rows).Select(i => x.Span.Slice(i * cols, cols).ToArray()).ToArray();
    }
}
