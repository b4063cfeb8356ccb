using Sharpformer.Kernels;
using Sharpformer.Nn;

namespace Sharpformer.Tests.Inspection;

/// <summary>
/// A pre-LN transformer block computed from its weights by the definition, in double precision, one sequence at
/// a time: the oracle the recorded activations are checked against. Matrices are (rows, cols) row-major.
/// </summary>
internal static class ReferenceForward
{
    public sealed record BlockTrace(double[] Ln1, double[] Q, double[] K, double[] V, double[] Scores, double[] Weights, double[] Y,
        double[] Merged, double[] AttentionOut, double[] AfterAttention, double[] Ln2, double[] Hidden, double[] Activation,
        double[] MlpOut, double[] Output);

    // x (T, C) -> the block's trace, causal self-attention, no cross-attention.
    public static BlockTrace Block(TransformerBlock block, double[] x, int t, int c, int heads, bool causal)
    {
        var ln1 = LayerNorm(x, t, c, block.Ln1);
        var qkv = Linear(ln1, t, block.Attn.Qkv);                                      // (T, 3C)
        int hs = c / heads;
        var q = Heads(qkv, t, 3 * c, 0, heads, hs);
        var k = Heads(qkv, t, 3 * c, c, heads, hs);
        var v = Heads(qkv, t, 3 * c, 2 * c, heads, hs);
        var (scores, weights, y) = Attend(q, k, v, heads, t, t, hs, causal);
        var merged = Merge(y, heads, t, hs);
        var attnOut = Linear(merged, t, block.Attn.Proj);
        var afterAttention = Add(x, attnOut);
        var ln2 = LayerNorm(afterAttention, t, c, block.Ln2!);
        var hidden = Linear(ln2, t, block.Mlp!.Up);
        var act = hidden.Select(Gelu.Reference.Value).ToArray();
        var mlpOut = Linear(act, t, block.Mlp.Down);
        return new BlockTrace(ln1, q, k, v, scores, weights, y, merged, attnOut, afterAttention, ln2, hidden, act, mlpOut, Add(afterAttention, mlpOut));
    }

    // q (nh, Tq, hs), k and v (nh, Tk, hs) -> RW and W (nh, Tq, Tk), Y (nh, Tq, hs); causal aligns the ends.
    public static (double[] Scores, double[] Weights, double[] Y) Attend(double[] q, double[] k, double[] v, int heads, int tq, int tk, int hs, bool causal)
    {
        var scores = new double[heads * tq * tk];
        var weights = new double[heads * tq * tk];
        var y = new double[heads * tq * hs];
        for (int h = 0; h < heads; h++)
        for (int i = 0; i < tq; i++)
        {
            int visible = causal ? i + tk - tq + 1 : tk;
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < tk; j++)
            {
                double s = double.NegativeInfinity;
                if (j < visible)
                {
                    s = 0;
                    for (int d = 0; d < hs; d++) s += q[(h * tq + i) * hs + d] * k[(h * tk + j) * hs + d];
                    s /= Math.Sqrt(hs);
                    max = Math.Max(max, s);
                }
                scores[(h * tq + i) * tk + j] = s;
            }
            for (int j = 0; j < visible; j++) sum += Math.Exp(scores[(h * tq + i) * tk + j] - max);
            for (int j = 0; j < visible; j++)
            {
                double w = Math.Exp(scores[(h * tq + i) * tk + j] - max) / sum;
                weights[(h * tq + i) * tk + j] = w;
                for (int d = 0; d < hs; d++) y[(h * tq + i) * hs + d] += w * v[(h * tk + j) * hs + d];
            }
        }
        return (scores, weights, y);
    }

    public static double[] LayerNorm(double[] x, int rows, int c, Sharpformer.Nn.LayerNorm norm)
    {
        var y = new double[rows * c];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < c; i++) mean += x[r * c + i] / c;
            for (int i = 0; i < c; i++) variance += (x[r * c + i] - mean) * (x[r * c + i] - mean) / c;
            double s = 1 / Math.Sqrt(variance + 1e-5);
            for (int i = 0; i < c; i++)
                y[r * c + i] = (x[r * c + i] - mean) * s * norm.Weight.Value.Span[i] + (norm.Bias?.Value.Span[i] ?? 0);
        }
        return y;
    }

    // x (rows, in) -> x·Wᵀ + b (rows, out), W (out, in)
    public static double[] Linear(double[] x, int rows, Linear linear) => Linear(x, rows, linear.Weight.Value.Span.ToArray(), linear.Bias?.Value.Span.ToArray(), linear.Weight.Dim(0));

    public static double[] Linear(double[] x, int rows, float[] weight, float[]? bias, int outputs)
    {
        int inputs = weight.Length / outputs;
        var y = new double[rows * outputs];
        for (int r = 0; r < rows; r++)
        for (int o = 0; o < outputs; o++)
        {
            double s = bias?[o] ?? 0;
            for (int i = 0; i < inputs; i++) s += x[r * inputs + i] * weight[o * inputs + i];
            y[r * outputs + o] = s;
        }
        return y;
    }

    // (T, width) columns [offset, offset + C) -> (nh, T, hs)
    public static double[] Heads(double[] x, int t, int width, int offset, int heads, int hs)
    {
        var y = new double[heads * t * hs];
        for (int h = 0; h < heads; h++)
        for (int i = 0; i < t; i++)
        for (int d = 0; d < hs; d++) y[(h * t + i) * hs + d] = x[i * width + offset + h * hs + d];
        return y;
    }

    // (nh, T, hs) -> (T, nh·hs)
    public static double[] Merge(double[] y, int heads, int t, int hs)
    {
        var m = new double[t * heads * hs];
        for (int h = 0; h < heads; h++)
        for (int i = 0; i < t; i++)
        for (int d = 0; d < hs; d++) m[i * heads * hs + h * hs + d] = y[(h * t + i) * hs + d];
        return m;
    }

    public static double[] Add(double[] a, double[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    /// <summary>Asserts every element of <paramref name="actual"/> is within <paramref name="tolerance"/> (relative to the largest magnitude) of <paramref name="expected"/>; −∞ must match −∞.</summary>
    public static void Near(double[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double scale = Math.Max(1, expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNegativeInfinity(expected[i])) { Assert.True(float.IsNegativeInfinity(actual[i]), $"{what}[{i}]: {actual[i]}, expected −∞"); continue; }
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"{what}[{i}]: {actual[i]}, expected {expected[i]}");
        }
    }
}
