using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>Hyper-parameters of one AdamW update (decoupled weight decay, as in PyTorch's AdamW).</summary>
internal readonly record struct AdamWStep(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, int Step)
{
    public float Correction1 => 1f - MathF.Pow(Beta1, Step);
    public float Correction2 => 1f - MathF.Pow(Beta2, Step);
}

/// <summary>
/// AdamW: p ← p·(1 − lr·wd) − lr · m̂ / (√v̂ + eps), with m, v the bias-corrected first and second moments.
/// Each element takes the same steps at every width and in the scalar tail, so the update does not depend on
/// the path that ran.
/// </summary>
internal static class AdamW
{
    public static void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamWStep s) =>
        Update(param, grad, m, v, s, Simd.Best);

    internal static unsafe void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamWStep s, SimdWidth width)
    {
        Simd.Require(width);
        int n = param.Length;
        if (grad.Length < n || m.Length < n || v.Length < n)
            throw new ArgumentException($"grad, m and v must hold at least the {n} parameters.");
        var c = new Constants(s);
        fixed (float* p = param, g = grad, pm = m, pv = v)
        {
            int i = width switch
            {
                SimdWidth.V512 => Update<Width512, Vector512<float>>(p, g, pm, pv, 0, n, c),
                SimdWidth.V256 => Update<Width256, Vector256<float>>(p, g, pm, pv, 0, n, c),
                SimdWidth.V128 => Update<Width128, Vector128<float>>(p, g, pm, pv, 0, n, c),
                _ => 0,
            };
            Update<WidthScalar, float>(p, g, pm, pv, i, n, c);
        }
    }

    /// <summary>The per-step scalars, computed once per call.</summary>
    private readonly struct Constants(in AdamWStep s)
    {
        public readonly float Beta1 = s.Beta1, OneMinusBeta1 = 1 - s.Beta1, Beta2 = s.Beta2, OneMinusBeta2 = 1 - s.Beta2;
        public readonly float Decay = 1f - s.LearningRate * s.WeightDecay;
        public readonly float StepSize = s.LearningRate / s.Correction1;
        public readonly float InvSqrtC2 = 1f / MathF.Sqrt(s.Correction2);
        public readonly float Epsilon = s.Epsilon;
    }

    /// <summary>One step over whole vectors of <typeparamref name="TW"/> from <paramref name="i"/>; returns where the tail starts.</summary>
    private static unsafe int Update<TW, TV>(float* p, float* g, float* m, float* v, int i, int n, in Constants c)
        where TW : IVectorWidth<TV> where TV : struct
    {
        var b1 = TW.Splat(c.Beta1); var c1 = TW.Splat(c.OneMinusBeta1);
        var b2 = TW.Splat(c.Beta2); var c2 = TW.Splat(c.OneMinusBeta2);
        var decay = TW.Splat(c.Decay); var step = TW.Splat(c.StepSize);
        var inv = TW.Splat(c.InvSqrtC2); var eps = TW.Splat(c.Epsilon);
        for (; i <= n - TW.Lanes; i += TW.Lanes)
        {
            var gi = TW.Load(g + i);
            var mi = TW.Add(TW.Multiply(b1, TW.Load(m + i)), TW.Multiply(c1, gi));
            var vi = TW.Add(TW.Multiply(b2, TW.Load(v + i)), TW.Multiply(TW.Multiply(c2, gi), gi));
            var denominator = TW.Add(TW.Multiply(TW.Sqrt(vi), inv), eps);
            var pi = TW.Subtract(TW.Multiply(TW.Load(p + i), decay), TW.Divide(TW.Multiply(step, mi), denominator));
            TW.Store(p + i, pi); TW.Store(m + i, mi); TW.Store(v + i, vi);
        }
        return i;
    }

    /// <summary>The textbook form in double, for tests.</summary>
    public static class Reference
    {
        public static void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamWStep s)
        {
            for (int i = 0; i < param.Length; i++)
            {
                double mi = s.Beta1 * (double)m[i] + (1 - s.Beta1) * (double)grad[i];
                double vi = s.Beta2 * (double)v[i] + (1 - s.Beta2) * (double)grad[i] * grad[i];
                double mHat = mi / (1 - Math.Pow(s.Beta1, s.Step)), vHat = vi / (1 - Math.Pow(s.Beta2, s.Step));
                double p = param[i] * (1 - (double)s.LearningRate * s.WeightDecay);
                param[i] = (float)(p - s.LearningRate * mHat / (Math.Sqrt(vHat) + s.Epsilon));
                m[i] = (float)mi; v[i] = (float)vi;
            }
        }
    }
}
