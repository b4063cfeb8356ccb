using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// Each element takes the same steps at every width and in the scalar tail, so the update does not depend on
/// the path that ran.
/// </summary>
public static class AdamW
{
    public static void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamWStep s) =>
        Update(param, grad, m, v, s, Simd.Best);

    internal static void Update(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamWStep s, SimdWidth width)
    {
        Simd.Require(width);
        int n = param.Length;
        if (grad.Length < n || m.Length < n || v.Length < n)
            throw new ArgumentException($"grad, m and v must hold at least the {n} parameters.");
        var c = new Constants(s);
        ref float p = ref MemoryMarshal.GetReference(param);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pv = ref MemoryMarshal.GetReference(v);
        int i = width switch
        {
            SimdWidth.V512 => Update512(ref p, ref g, ref pm, ref pv, n, c),
            SimdWidth.V256 => Update256(ref p, ref g, ref pm, ref pv, n, c),
            SimdWidth.V128 => Update128(ref p, ref g, ref pm, ref pv, n, c),
            _ => 0,
        };
        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float mi = c.Beta1 * Unsafe.Add(ref pm, i) + c.OneMinusBeta1 * gi;
            float vi = c.Beta2 * Unsafe.Add(ref pv, i) + c.OneMinusBeta2 * gi * gi;
            Unsafe.Add(ref p, i) = Unsafe.Add(ref p, i) * c.Decay - c.StepSize * mi / (MathF.Sqrt(vi) * c.InvSqrtC2 + c.Epsilon);
            Unsafe.Add(ref pm, i) = mi;
            Unsafe.Add(ref pv, i) = vi;
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

    private static int Update512(ref float p, ref float g, ref float m, ref float v, int n, in Constants c)
    {
        int i = 0;
        var b1 = Vector512.Create(c.Beta1); var c1 = Vector512.Create(c.OneMinusBeta1);
        var b2 = Vector512.Create(c.Beta2); var c2 = Vector512.Create(c.OneMinusBeta2);
        var decay = Vector512.Create(c.Decay); var step = Vector512.Create(c.StepSize);
        var inv = Vector512.Create(c.InvSqrtC2); var eps = Vector512.Create(c.Epsilon);
        for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            var gi = Vector512.LoadUnsafe(ref g, (nuint)i);
            var mi = b1 * Vector512.LoadUnsafe(ref m, (nuint)i) + c1 * gi;
            var vi = b2 * Vector512.LoadUnsafe(ref v, (nuint)i) + c2 * gi * gi;
            var pi = Vector512.LoadUnsafe(ref p, (nuint)i) * decay - step * mi / (Vector512.Sqrt(vi) * inv + eps);
            pi.StoreUnsafe(ref p, (nuint)i); mi.StoreUnsafe(ref m, (nuint)i); vi.StoreUnsafe(ref v, (nuint)i);
        }
        return i;
    }

    private static int Update256(ref float p, ref float g, ref float m, ref float v, int n, in Constants c)
    {
        int i = 0;
        var b1 = Vector256.Create(c.Beta1); var c1 = Vector256.Create(c.OneMinusBeta1);
        var b2 = Vector256.Create(c.Beta2); var c2 = Vector256.Create(c.OneMinusBeta2);
        var decay = Vector256.Create(c.Decay); var step = Vector256.Create(c.StepSize);
        var inv = Vector256.Create(c.InvSqrtC2); var eps = Vector256.Create(c.Epsilon);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var gi = Vector256.LoadUnsafe(ref g, (nuint)i);
            var mi = b1 * Vector256.LoadUnsafe(ref m, (nuint)i) + c1 * gi;
            var vi = b2 * Vector256.LoadUnsafe(ref v, (nuint)i) + c2 * gi * gi;
            var pi = Vector256.LoadUnsafe(ref p, (nuint)i) * decay - step * mi / (Vector256.Sqrt(vi) * inv + eps);
            pi.StoreUnsafe(ref p, (nuint)i); mi.StoreUnsafe(ref m, (nuint)i); vi.StoreUnsafe(ref v, (nuint)i);
        }
        return i;
    }

    private static int Update128(ref float p, ref float g, ref float m, ref float v, int n, in Constants c)
    {
        int i = 0;
        var b1 = Vector128.Create(c.Beta1); var c1 = Vector128.Create(c.OneMinusBeta1);
        var b2 = Vector128.Create(c.Beta2); var c2 = Vector128.Create(c.OneMinusBeta2);
        var decay = Vector128.Create(c.Decay); var step = Vector128.Create(c.StepSize);
        var inv = Vector128.Create(c.InvSqrtC2); var eps = Vector128.Create(c.Epsilon);
        for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            var gi = Vector128.LoadUnsafe(ref g, (nuint)i);
            var mi = b1 * Vector128.LoadUnsafe(ref m, (nuint)i) + c1 * gi;
            var vi = b2 * Vector128.LoadUnsafe(ref v, (nuint)i) + c2 * gi * gi;
            var pi = Vector128.LoadUnsafe(ref p, (nuint)i) * decay - step * mi / (Vector128.Sqrt(vi) * inv + eps);
            pi.StoreUnsafe(ref p, (nuint)i); mi.StoreUnsafe(ref m, (nuint)i); vi.StoreUnsafe(ref v, (nuint)i);
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
