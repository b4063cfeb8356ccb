using System.Numerics.Tensors;

namespace Sharpformer.Kernels;

/// <summary>
/// Softmax and cross-entropy fused over (rows, V) logits, with an ignore index (padding) and label smoothing ε:
/// the target distribution is q = (1 − ε)·onehot(t) + ε/V, so loss = lse − (1 − ε)·x_t − (ε/V)·Σ_j x_j.
/// The forward pass keeps only each row's log-sum-exp; the backward pass recomputes p = exp(x − lse).
/// </summary>
public static class CrossEntropy
{
    // logits: (rows, v); targets, losses, lse: (rows). Ignored rows get loss 0. Returns the number of counted rows.
    public static int Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> lse,
        int rows, int v, int ignoreIndex, float smoothing)
    {
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) { losses[r] = 0; lse[r] = 0; continue; }
            if ((uint)t >= (uint)v) throw new ArgumentException($"cross_entropy: target {t} at row {r} is outside the vocabulary of {v}.");
            var row = logits.Slice(r * v, v);
            var exps = Scratch(v);
            float max = TensorPrimitives.Max(row);
            float logSumExp = max + MathF.Log(FastExp.ExpShifted(row, max, exps));
            float loss = logSumExp - (1 - smoothing) * row[t];
            if (smoothing != 0) loss -= smoothing / v * TensorPrimitives.Sum(row);
            losses[r] = loss;
            lse[r] = logSumExp;
            counted++;
        }
        return counted;
    }

    /// <summary>Accumulates dLogits += scale · (softmax(x) − q) for every counted row.</summary>
    public static void Backward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> lse, Span<float> dLogits,
        int rows, int v, int ignoreIndex, float smoothing, float scale)
    {
        float uniform = smoothing / v;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            var row = logits.Slice(r * v, v);
            var drow = dLogits.Slice(r * v, v);
            var p = Scratch(v);
            FastExp.ExpShifted(row, lse[r], p);                  // p = softmax(row)
            TensorPrimitives.MultiplyAdd(p, scale, drow, drow);
            if (uniform != 0) TensorPrimitives.Add(drow, -scale * uniform, drow);
            drow[t] -= scale * (1 - smoothing);
        }
    }

    [ThreadStatic] private static float[]? t_scratch;

    /// <summary>A per-thread row buffer, so the kernels allocate nothing after the first call.</summary>
    private static Span<float> Scratch(int v)
    {
        if (t_scratch == null || t_scratch.Length < v) t_scratch = new float[v];
        return t_scratch.AsSpan(0, v);
    }

    /// <summary>Double-precision oracle: the mean loss over counted rows.</summary>
    public static class Reference
    {
        public static double MeanLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int v, int ignoreIndex, float smoothing)
        {
            double total = 0;
            int counted = 0;
            for (int r = 0; r < rows; r++)
            {
                if (targets[r] == ignoreIndex) continue;
                double max = double.NegativeInfinity;
                for (int j = 0; j < v; j++) max = Math.Max(max, logits[r * v + j]);
                double s = 0;
                for (int j = 0; j < v; j++) s += Math.Exp(logits[r * v + j] - max);
                double lse = max + Math.Log(s);
                for (int j = 0; j < v; j++)
                {
                    double q = smoothing / v + (j == targets[r] ? 1 - smoothing : 0);
                    total -= q * (logits[r * v + j] - lse);
                }
                counted++;
            }
            return counted == 0 ? 0 : total / counted;
        }
    }
}
