using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Autograd;

/// <summary>
/// Compares the tape's gradients with central finite differences. The scalar checked is Σ w ⊙ f(inputs)
/// for fixed random weights w, summed in double so that fp32 rounding of the sum does not swamp the
/// difference quotient.
/// </summary>
internal static class GradCheck
{
    public static Variable Param(Rng rng, string name, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillNormal(t.Span, 1f);
        return Variable.Parameter(t, name);
    }

    public static void Check(Func<Tape, Variable> f, Variable[] inputs, double eps = 1e-2, double atol = 5e-4, double rtol = 3e-3, int maxPerInput = 48)
    {
        var weights = Weights(f, inputs);
        foreach (var p in inputs) p.ZeroGrad();
        using (var tape = new Tape())
        {
            var y = f(tape);
            var loss = tape.Sum(tape.Mul(y, Variable.Constant(weights)));
            tape.Backward(loss);
        }
        var rng = new Rng(99);
        foreach (var p in inputs)
        {
            var values = p.Value.Span;
            int count = Math.Min(values.Length, maxPerInput);
            for (int n = 0; n < count; n++)
            {
                int i = values.Length <= maxPerInput ? n : rng.NextInt(values.Length);
                float saved = values[i];
                values[i] = saved + (float)eps;
                double plus = Evaluate(f, weights);
                values[i] = saved - (float)eps;
                double minus = Evaluate(f, weights);
                values[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double analytic = p.Grad!.Span[i];
                Assert.True(Math.Abs(analytic - numeric) <= atol + rtol * Math.Abs(numeric),
                    $"{p.Name}[{i}]: analytic {analytic:G6} vs numeric {numeric:G6}");
            }
        }
    }

    private static Tensor Weights(Func<Tape, Variable> f, Variable[] inputs)
    {
        using var tape = new Tape(recordGradients: false);
        var shape = f(tape).Shape;
        var w = new Tensor(shape);
        new Rng(5).FillNormal(w.Span, 1f);
        return w;
    }

    private static double Evaluate(Func<Tape, Variable> f, Tensor weights)
    {
        using var tape = new Tape(recordGradients: false);
        var y = f(tape).Value.Span;
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += (double)y[i] * weights.Span[i];
        return sum;
    }
}
