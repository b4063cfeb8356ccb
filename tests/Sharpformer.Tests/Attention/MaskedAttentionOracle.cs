using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Attention;

/// <summary>
/// Attention by the definition in double precision under an arbitrary mask allowed(bh, i, j), with its
/// gradients for a given dO: the oracle the sparse variants are compared with. A row with no allowed key gives 0.
/// </summary>
internal static class MaskedAttentionOracle
{
    public static (double[] O, double[] DQ, double[] DK, double[] DV) Run(float[] q, float[] k, float[] v, float[] dO,
        int batchHeads, int tq, int tk, int hs, Func<int, int, int, bool> allowed) =>
        Run(q, k, v, dO, batchHeads, tq, tk, hs, (bh, i, j) => allowed(bh, i, j) ? 1 : 0);

    /// <summary>As above, with each score counted multiplicity(bh, i, j) times in its row's softmax (0 = hidden).</summary>
    public static (double[] O, double[] DQ, double[] DK, double[] DV) Run(float[] q, float[] k, float[] v, float[] dO,
        int batchHeads, int tq, int tk, int hs, Func<int, int, int, int> multiplicity)
    {
        double scale = 1.0 / Math.Sqrt(hs);
        var o = new double[q.Length];
        var (dq, dk, dv) = (new double[q.Length], new double[k.Length], new double[v.Length]);
        var p = new double[tk];
        for (int bh = 0; bh < batchHeads; bh++)
            for (int i = 0; i < tq; i++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < tk; j++)
                {
                    p[j] = double.NegativeInfinity;
                    if (multiplicity(bh, i, j) == 0) continue;
                    double s = 0;
                    for (int c = 0; c < hs; c++) s += (double)q[(bh * tq + i) * hs + c] * k[(bh * tk + j) * hs + c];
                    p[j] = s * scale;
                    max = Math.Max(max, p[j]);
                }
                if (double.IsNegativeInfinity(max)) continue;
                double sum = 0;
                for (int j = 0; j < tk; j++) { p[j] = double.IsNegativeInfinity(p[j]) ? 0 : multiplicity(bh, i, j) * Math.Exp(p[j] - max); sum += p[j]; }
                int qi = (bh * tq + i) * hs;
                double delta = 0;
                for (int j = 0; j < tk; j++)
                {
                    p[j] /= sum;
                    for (int c = 0; c < hs; c++) o[qi + c] += p[j] * v[(bh * tk + j) * hs + c];
                }
                for (int c = 0; c < hs; c++) delta += dO[qi + c] * o[qi + c];
                for (int j = 0; j < tk; j++)
                {
                    if (p[j] == 0) continue;
                    int kj = (bh * tk + j) * hs;
                    double dP = 0;
                    for (int c = 0; c < hs; c++) dP += dO[qi + c] * v[kj + c];
                    double dS = p[j] * (dP - delta) * scale;
                    for (int c = 0; c < hs; c++)
                    {
                        dq[qi + c] += dS * k[kj + c];
                        dk[kj + c] += dS * q[qi + c];
                        dv[kj + c] += p[j] * dO[qi + c];
                    }
                }
            }
        return (o, dq, dk, dv);
    }

    /// <summary>The causal and padding mask of <see cref="AttentionMask"/> for head bh (nh heads per batch item).</summary>
    public static bool BaseMask(AttentionMask mask, int heads, int tq, int tk, int bh, int i, int j)
    {
        if (mask.Causal && j > i + tk - tq) return false;
        return mask.KeyLengths == null || j < mask.KeyLengths[bh / heads];
    }
}

/// <summary>Runs a variant through a tape: output and the gradients of Σ dO ⊙ O.</summary>
internal static class VariantRunner
{
    public static Variable Param(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillNormal(t.Span, 1f);
        return Variable.Parameter(t, "x");
    }

    public static (float[] O, float[] DQ, float[] DK, float[] DV) Run(IAttentionVariant variant, Variable q, Variable k, Variable v,
        AttentionMask mask, float[] dO)
    {
        foreach (var p in new[] { q, k, v }) p.ZeroGrad();
        using var tape = new Tape();
        var y = variant.Forward(tape, q, k, v, mask);
        var loss = tape.Sum(tape.Mul(y, Variable.Constant(new Tensor(y.Shape, dO))));
        tape.Backward(loss);
        return (y.Value.Span.ToArray(), q.Grad!.Span.ToArray(), k.Grad!.Span.ToArray(), v.Grad!.Span.ToArray());
    }

    /// <summary>Asserts |actual − expected| ≤ rtol·max|expected| + atol element-wise.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, string what, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= rtol * scale + atol,
                $"{what}[{i}]: {actual[i]:G8} vs {expected[i]:G8} (scale {scale:G4})");
    }

    public static double[] ToDouble(float[] x) => Array.ConvertAll(x, f => (double)f);
}
