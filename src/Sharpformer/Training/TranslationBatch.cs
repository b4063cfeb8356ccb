using Sharpformer.Autograd;
using Sharpformer.Models;

namespace Sharpformer.Training;

/// <summary>
/// Encoded sentence pairs laid out for the model, right-padded: sources (B, Ts) with their lengths,
/// decoder inputs BOS + target (B, Tt) and the targets it must predict, target + EOS, with
/// <see cref="IgnoreIndex"/> where there is only padding.
/// </summary>
internal sealed class TranslationBatch
{
    public const int IgnoreIndex = -1;

    public int Size { get; }
    public int SourceTime { get; }
    public int TargetTime { get; }
    public int[] Sources { get; }
    public int[] SourceLengths { get; }
    public int[] TargetInputs { get; }
    public int[] TargetOutputs { get; }

    public TranslationBatch(IReadOnlyList<(int[] Source, int[] Target)> pairs, TranslationVocabulary source, TranslationVocabulary target)
    {
        Size = pairs.Count;
        SourceTime = Math.Max(1, pairs.Max(p => p.Source.Length));
        TargetTime = pairs.Max(p => p.Target.Length) + 1;
        Sources = new int[Size * SourceTime];
        SourceLengths = new int[Size];
        TargetInputs = new int[Size * TargetTime];
        TargetOutputs = new int[Size * TargetTime];
        Array.Fill(Sources, source.Pad);
        Array.Fill(TargetInputs, target.Pad);
        Array.Fill(TargetOutputs, IgnoreIndex);
        for (int b = 0; b < Size; b++)
        {
            var (src, tgt) = pairs[b];
            src.CopyTo(Sources, b * SourceTime);
            SourceLengths[b] = src.Length;
            TargetInputs[b * TargetTime] = target.Bos;
            tgt.CopyTo(TargetInputs, b * TargetTime + 1);
            tgt.CopyTo(TargetOutputs, b * TargetTime);
            TargetOutputs[b * TargetTime + tgt.Length] = target.Eos;
        }
    }

    /// <summary>Target tokens that count in the loss (EOS included).</summary>
    public int TargetTokens => TargetOutputs.Count(t => t != IgnoreIndex);

    /// <summary>Mean label-smoothed cross-entropy of the batch under teacher forcing.</summary>
    public Variable Loss(Tape tape, Translator model, float labelSmoothing, Tensors.Rng? dropoutRng = null)
    {
        var memory = model.Encode(tape, Sources, Size, SourceTime, SourceLengths, dropoutRng);
        var logits = model.Decode(tape, TargetInputs, Size, TargetTime, memory, dropoutRng);
        return tape.CrossEntropy(logits, TargetOutputs, IgnoreIndex, labelSmoothing);
    }
}
