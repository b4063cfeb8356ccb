using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>Examples laid out for a classifier: ids (B, T) right-padded to the longest, each row's length and its label.</summary>
internal sealed class ClassificationBatch
{
    public int Size { get; }
    public int Time { get; }
    public int[] Ids { get; }
    public int[] Lengths { get; }
    public int[] Labels { get; }

    public ClassificationBatch(IReadOnlyList<ClassificationExample> examples, int padId = 0)
    {
        if (examples.Count == 0) throw new ArgumentException("A batch needs at least one example.", nameof(examples));
        Size = examples.Count;
        Time = examples.Max(e => e.Tokens.Length);
        if (examples.Any(e => e.Tokens.Length == 0)) throw new ArgumentException("A classification example needs at least one token.", nameof(examples));
        Ids = new int[Size * Time];
        Array.Fill(Ids, padId);
        Lengths = new int[Size];
        Labels = new int[Size];
        for (int b = 0; b < Size; b++)
        {
            examples[b].Tokens.CopyTo(Ids, b * Time);
            Lengths[b] = examples[b].Tokens.Length;
            Labels[b] = examples[b].Label;
        }
    }

    public Variable Loss(Tape tape, SequenceClassifier model, Rng? dropoutRng = null) =>
        model.Loss(tape, Ids, Size, Time, Lengths, Labels, dropoutRng);

    /// <summary>The predicted class of each row (argmax of the logits; the lowest class on ties).</summary>
    public int[] Predict(Tape tape, SequenceClassifier model)
    {
        var logits = model.Forward(tape, Ids, Size, Time, Lengths).Value.Span;
        int classes = model.Config.Classes;
        var predicted = new int[Size];
        for (int b = 0; b < Size; b++)
        {
            var row = logits.Slice(b * classes, classes);
            int best = 0;
            for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
            predicted[b] = best;
        }
        return predicted;
    }
}
