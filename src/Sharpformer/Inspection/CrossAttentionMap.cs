using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Inspection;

/// <summary>
/// Where each target token of a translation looked in the source: the last decoder layer's
/// cross-attention, averaged over heads, recorded while the model re-reads its own output.
/// </summary>
internal static class CrossAttentionMap
{
    public sealed record Map(Tensor Weights, string[] SourceTokens, string[] TargetTokens);

    public static Map Compute(Translator model, TranslationVocabulary source, TranslationVocabulary target, int[] sourceIds, int[] targetIds)
    {
        using var tape = new Tape(recordGradients: false) { AttentionMaps = [] };
        var memory = model.Encode(tape, sourceIds, 1, sourceIds.Length, [sourceIds.Length]);
        int[] inputs = [target.Bos, .. targetIds];
        model.Decode(tape, inputs, 1, inputs.Length, memory);
        // Decoder layers record self-attention then cross-attention; the last one is the last cross map.
        var probs = tape.AttentionMaps[^1];                                   // (1, nh, Tt, Ts)
        int heads = probs.Dim(1), tt = probs.Dim(2), ts = probs.Dim(3);
        var mean = new Tensor(tt, ts);
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < tt * ts; i++) mean.Span[i] += probs.Span[h * tt * ts + i] / heads;
        // Row i is the step that predicts output token i (target token, or the end of sentence).
        var targetLabels = targetIds.Select(id => Label(target, id)).Append("</s>").ToArray();
        return new Map(mean, sourceIds.Select(id => Label(source, id)).ToArray(), targetLabels);
    }

    private static string Label(TranslationVocabulary vocab, int id) =>
        vocab.Tokenizer.Decode([id]).Replace(' ', '·');
}
