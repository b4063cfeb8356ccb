using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// Softmax and cross-entropy fused over (rows, V) logits, with an ignore index (padding) and label smoothing ε:
/// the target distribution is q = (1 − ε)·onehot(t) + ε/V, so loss = lse − (1 − ε)·x_t − (ε/V)·Σ_j x_j.
/// The forward pass keeps only each row's log-sum-exp; the backward pass recomputes p = exp(x − lse) and
/// accumulates into dLogits in the same pass. The exponentials run at the width passed (the public entry
/// points pass <see cref="Simd.Best"/>); max and sum are TensorPrimitives', which picks its own width.
/// </summary>
internal static class CrossEntropy
{
    // logits: (rows, v); targets, losses, lse: (rows). Ignored rows get loss 0. Returns the number of counted rows.
    public static int Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> lse,
        int rows, int v, int ignoreIndex, float smoothing) =>
        Forward(logits, targets, losses, lse, rows, v, ignoreIndex, smoothing, Simd.Best);

    internal static int Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> losses, Span<float> lse,
        int rows, int v, int ignoreIndex, float smoothing, SimdWidth width)
    {
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) { losses[r] = 0; lse[r] = 0; continue; }
            if ((uint)t >= (uint)v) throw new ArgumentException($"cross_entropy: target {t} at row {r} is outside the vocabulary of {v}.");
            var row = logits.Slice(r * v, v);
            float max = TensorPrimitives.Max(row);
            float logSumExp = max + MathF.Log(FastExp.SumExpShifted(row, max, width));
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
        int rows, int v, int ignoreIndex, float smoothing, float scale) =>
        Backward(logits, targets, lse, dLogits, rows, v, ignoreIndex, smoothing, scale, Simd.Best);

    internal static unsafe void Backward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> lse, Span<float> dLogits,
        int rows, int v, int ignoreIndex, float smoothing, float scale, SimdWidth width)
    {
        Simd.Require(width);
        float uniform = smoothing / v;
        float bias = -scale * uniform;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            if ((uint)t >= (uint)v) throw new ArgumentException($"cross_entropy: target {t} at row {r} is outside the vocabulary of {v}.");
            var row = logits.Slice(r * v, v);
            var drow = dLogits.Slice(r * v, v);
            float shift = lse[r];
            fixed (float* x = row, d = drow)
            {
                // d += scale·p − scale·ε/V with p = softmax(row) = e^(x − lse)
                int j = width switch
                {
                    SimdWidth.V512 => Backward<Width512, Vector512<float>>(x, d, 0, v, shift, scale, bias),
                    SimdWidth.V256 => Backward<Width256, Vector256<float>>(x, d, 0, v, shift, scale, bias),
                    SimdWidth.V128 => Backward<Width128, Vector128<float>>(x, d, 0, v, shift, scale, bias),
                    _ => 0,
                };
                Backward<WidthScalar, float>(x, d, j, v, shift, scale, bias);
            }
            drow[t] -= scale * (1 - smoothing);
        }
    }

    /// <summary>d += scale·e^(x − shift) + bias over whole vectors of <typeparamref name="TW"/> from <paramref name="j"/>; returns where the tail starts.</summary>
    private static unsafe int Backward<TW, TV>(float* x, float* d, int j, int n, float shift, float scale, float bias)
        where TW : IVectorWidth<TV> where TV : struct
    {
        var s = TW.Splat(shift); var log2e = TW.Splat(Exp2.Log2E);
        var k = TW.Splat(scale); var b = TW.Splat(bias);
        for (; j <= n - TW.Lanes; j += TW.Lanes)
        {
            var p = TW.Exp2(TW.Multiply(TW.Subtract(TW.Load(x + j), s), log2e));
            TW.Store(d + j, TW.Add(TW.Add(TW.Load(d + j), TW.Multiply(p, k)), b));
        }
        return j;
    }


    /// <summary>Double-precision oracles: per-row losses, their mean over counted rows, and the gradient.</summary>
    public static class Reference
    {
        public static double MeanLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int v, int ignoreIndex, float smoothing)
        {
            double total = 0;
            int counted = 0;
            for (int r = 0; r < rows; r++)
            {
                if (targets[r] == ignoreIndex) continue;
                total += RowLoss(logits.Slice(r * v, v), targets[r], smoothing);
                counted++;
            }
            return counted == 0 ? 0 : total / counted;
        }

        /// <summary>−Σ_j q_j·log softmax(x)_j for one row.</summary>
        public static double RowLoss(ReadOnlySpan<float> row, int target, float smoothing)
        {
            double lse = LogSumExp(row), loss = 0;
            for (int j = 0; j < row.Length; j++)
            {
                double q = (double)smoothing / row.Length + (j == target ? 1 - (double)smoothing : 0);
                loss -= q * (row[j] - lse);
            }
            return loss;
        }

        public static double LogSumExp(ReadOnlySpan<float> row)
        {
            double max = double.NegativeInfinity, s = 0;
            foreach (float x in row) max = Math.Max(max, x);
            foreach (float x in row) s += Math.Exp(x - max);
            return max + Math.Log(s);
        }

        /// <summary>dLogits += scale · (softmax(x) − q) for every counted row.</summary>
        public static void Backward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits,
            int rows, int v, int ignoreIndex, float smoothing, float scale)
        {
            for (int r = 0; r < rows; r++)
            {
                if (targets[r] == ignoreIndex) continue;
                var row = logits.Slice(r * v, v);
                double lse = LogSumExp(row);
                for (int j = 0; j < v; j++)
                {
                    double q = (double)smoothing / v + (j == targets[r] ? 1 - (double)smoothing : 0);
                    dLogits[r * v + j] = (float)(dLogits[r * v + j] + scale * (Math.Exp(row[j] - lse) - q));
                }
            }
        }
    }
}
