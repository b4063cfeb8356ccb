using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>Hyper-parameters of one AdamW update (decoupled weight decay, as in PyTorch's AdamW).</summary>
public readonly record struct AdamWStep(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, int Step)
{
    public float Correction1 => 1f - MathF.Pow(Beta1, Step);
    public float Correction2 => 1f - MathF.Pow(Beta2, Step);
}

/// <summary>
/// AdamW: p ← p·(1 − lr·wd) − lr · m̂ / (√v̂ + eps), with m, v the bias-corrected first and second moments.
/// </summary>
public static class AdamW
{
    public static void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamWStep s)
    {
        float decay = 1f - s.LearningRate * s.WeightDecay;
        float stepSize = s.LearningRate / s.Correction1;
        float invSqrtC2 = 1f / MathF.Sqrt(s.Correction2);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int w = Vector512<float>.Count;
            var b1 = Vector512.Create(s.Beta1); var c1 = Vector512.Create(1 - s.Beta1);
            var b2 = Vector512.Create(s.Beta2); var c2 = Vector512.Create(1 - s.Beta2);
            var vDecay = Vector512.Create(decay); var vStep = Vector512.Create(stepSize);
            var vInv = Vector512.Create(invSqrtC2); var vEps = Vector512.Create(s.Epsilon);
            for (; i <= param.Length - w; i += w)
            {
                var g = Vector512.Create(grad.Slice(i, w));
                var mi = b1 * Vector512.Create(m.Slice(i, w)) + c1 * g;
                var vi = b2 * Vector512.Create(v.Slice(i, w)) + c2 * g * g;
                var p = Vector512.Create(param.Slice(i, w)) * vDecay - vStep * mi / (Vector512.Sqrt(vi) * vInv + vEps);
                mi.CopyTo(m.Slice(i, w)); vi.CopyTo(v.Slice(i, w)); p.CopyTo(param.Slice(i, w));
            }
        }
        for (; i < param.Length; i++)
        {
            float g = grad[i];
            m[i] = s.Beta1 * m[i] + (1 - s.Beta1) * g;
            v[i] = s.Beta2 * v[i] + (1 - s.Beta2) * g * g;
            param[i] = param[i] * decay - stepSize * m[i] / (MathF.Sqrt(v[i]) * invSqrtC2 + s.Epsilon);
        }
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
