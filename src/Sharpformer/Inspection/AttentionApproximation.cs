using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Inspection;

/// <summary>
/// How far an approximate attention variant lands from exact attention on the same queries, keys and values.
/// Fed with the activations of a trained model (<see cref="Tape.AttentionInputs"/>), the scores have the
/// peaked, structured rows real attention has, which random vectors do not.
/// </summary>
internal static class AttentionApproximation
{
    /// <summary>
    /// Errors of one variant on one attention call. Output and gradient errors are relative Frobenius norms
    /// ‖approximate − exact‖ / ‖exact‖; the gradients are those of ⟨O, G⟩ for a fixed random G. Mass is the
    /// share of each query row's exact softmax mass held by the scores the variant computed (NaN when its
    /// kernel keeps no log-sum-exp); <see cref="LowMass"/> is its 5th percentile over rows.
    /// </summary>
    public sealed record Result(string Variant, int Call, double OutputError, double MeanMass, double LowMass,
        double QueryGradError, double KeyGradError, double ValueGradError);

    /// <summary>
    /// Compares <paramref name="variant"/> with exact (flash) attention on one recorded call, or with
    /// <paramref name="reference"/>: e.g. shared-key hashing against the same shared-key attention in one chunk,
    /// which separates the cost of hashing from the cost of sharing keys.
    /// </summary>
    public static Result Compare(IAttentionVariant variant, AttentionInputs inputs, int call, ulong seed = 1, IAttentionVariant? reference = null)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(inputs);
        var upstream = new Tensor(inputs.Q.Shape);
        new Rng(seed).FillNormal(upstream.Span, 1f);
        var exact = Run(inputs, upstream, (tape, q, k, v) => reference != null
            ? reference.Forward(tape, q, k, v, new AttentionMask(inputs.Causal))
            : tape.ScaledDotProductAttention(q, k, v, inputs.Causal, keyLengths: null, AttentionKernel.Flash));
        var approximate = Run(inputs, upstream, (tape, q, k, v) =>
            variant.Forward(tape, q, k, v, new AttentionMask(inputs.Causal)));
        var (meanMass, lowMass) = approximate.LogSumExp is { } lse && exact.LogSumExp is { } exactLse
            ? MassCaptured(lse, exactLse)
            : (double.NaN, double.NaN);
        return new Result(variant.Name, call,
            RelativeError(approximate.Output, exact.Output), meanMass, lowMass,
            RelativeError(approximate.QueryGrad, exact.QueryGrad),
            RelativeError(approximate.KeyGrad, exact.KeyGrad),
            RelativeError(approximate.ValueGrad, exact.ValueGrad));
    }

    private sealed record Outcome(float[] Output, float[] QueryGrad, float[] KeyGrad, float[] ValueGrad, float[]? LogSumExp);

    // One forward and backward of loss = ⟨attention(q, k, v), upstream⟩, so that dO = upstream.
    private static Outcome Run(AttentionInputs inputs, Tensor upstream, Func<Tape, Variable, Variable, Variable, Variable> attend)
    {
        using var tape = new Tape { AttentionLogSumExps = [] };
        var q = Variable.Parameter(inputs.Q.Clone(), "q");
        var k = Variable.Parameter(inputs.K.Clone(), "k");
        var v = Variable.Parameter(inputs.V.Clone(), "v");
        var o = attend(tape, q, k, v);
        tape.Backward(tape.Sum(tape.Mul(o, Variable.Constant(upstream))));
        float[]? lse = tape.AttentionLogSumExps.Count > 0 ? tape.AttentionLogSumExps[^1].Span.ToArray() : null;
        return new Outcome(o.Value.Span.ToArray(), GradOf(q, inputs.Q), GradOf(k, inputs.K), GradOf(v, inputs.V), lse);
    }

    // A variant that ignores an input (shared-key LSH ignores k) leaves its gradient unset: zero.
    private static float[] GradOf(Variable x, Tensor like) => x.Grad?.Span.ToArray() ?? new float[like.Span.Length];

    private static double RelativeError(float[] approximate, float[] exact)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            double d = approximate[i] - exact[i];
            diff += d * d;
            norm += (double)exact[i] * exact[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    // Per row: Σ over computed scores of the exact probabilities = exp(lse_approximate − lse_exact).
    private static (double Mean, double Low) MassCaptured(float[] lse, float[] exactLse)
    {
        var mass = new double[lse.Length];
        for (int i = 0; i < lse.Length; i++) mass[i] = Math.Min(1.0, Math.Exp((double)lse[i] - exactLse[i]));
        Array.Sort(mass);
        return (mass.Average(), mass[(int)(0.05 * (mass.Length - 1))]);
    }
}
