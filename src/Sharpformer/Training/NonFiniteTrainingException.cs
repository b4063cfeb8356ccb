using System.Numerics.Tensors;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>
/// Training met a NaN or ±∞: in the loss, in a gradient, or in a weight about to be saved. Thrown before the
/// update (or the save) that would carry it into the weights, so the checkpoints already written stay the last
/// good ones. <see cref="Step"/> is the step that failed (1-based, as logs count; null for a save), <see cref="Parameter"/>
/// the first parameter, in the model's order, whose gradient (or value) is not finite (null where every one is).
/// </summary>
internal sealed class NonFiniteTrainingException(int? step, string? parameter, string message) : Exception(message)
{
    public int? Step { get; } = step;
    public string? Parameter { get; } = parameter;

    /// <summary>
    /// Throws when <paramref name="loss"/> or the gradient norm is not finite, naming the step and the first parameter
    /// whose gradient holds a NaN or ±∞ (or, when every element is finite but the sum of squares overflowed, that one).
    /// </summary>
    public static void ThrowIfNonFinite(int step, float loss, float gradNorm, IEnumerable<(string Name, Variable Param)> parameters)
    {
        if (float.IsFinite(loss) && float.IsFinite(gradNorm)) return;
        string? first = null, detail = null;
        foreach (var (name, p) in parameters)
        {
            if (p.Grad == null) continue;
            int bad = SafeTensors.FirstNonFinite(p.Grad.Span);
            if (bad >= 0) { (first, detail) = (name, $"its gradient holds {p.Grad.Span[bad]} at flat index {bad}"); break; }
            if (first == null && !float.IsFinite(TensorPrimitives.SumOfSquares(p.Grad.Span)))
                (first, detail) = (name, "its gradient's sum of squares overflows a float");
        }
        string what = float.IsFinite(loss) ? $"the gradient norm is {gradNorm} (loss {loss})" : $"the loss is {loss}";
        string where = first == null ? "every gradient is finite" : $"the first parameter with a non-finite gradient is '{first}' ({detail})";
        throw new NonFiniteTrainingException(step, first, $"training diverged at step {step}: {what}; {where}. " +
            "The update was not applied and the checkpoints written so far are kept; lower the learning rate or check the data.");
    }

    /// <summary>
    /// Throws when an evaluation after <paramref name="step"/> steps measured a NaN or ±∞ <paramref name="what"/> (say
    /// "validation loss"): the weights have diverged, and the checkpoint it would write is not written.
    /// </summary>
    public static void ThrowIfEvaluationNonFinite(int step, string what, double value)
    {
        if (double.IsFinite(value)) return;
        throw new NonFiniteTrainingException(step, null, $"training diverged by step {step}: the {what} is {value}. " +
            "No checkpoint was written for this step and the earlier ones are kept; lower the learning rate or check the data.");
    }

    /// <summary>Throws before a checkpoint of <paramref name="dir"/> is written with a NaN or ±∞ weight.</summary>
    public static void ThrowIfWeightsNonFinite(string dir, IEnumerable<(string Name, Tensors.Tensor Tensor)> weights)
    {
        foreach (var (name, t) in weights)
        {
            int bad = SafeTensors.FirstNonFinite(t.Span);
            if (bad < 0) continue;
            throw new NonFiniteTrainingException(null, name, $"{dir}: not saved: weight '{name}' {ShapeOf.Format(t.Shape)} holds " +
                $"{t.Span[bad]} at flat index {bad}; weights must be finite, and the checkpoint there is kept.");
        }
    }
}
