using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

/// <summary>
/// GELU in its tanh form (GPT-2's): y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
/// tanh(u) is computed as 1 − 2/(e^{2u} + 1), which saturates cleanly to ±1 for large |u|.
/// </summary>
public static class Gelu
{
    private const float K0 = 0.7978845608028654f; // √(2/π)
    private const float K1 = 0.044715f;

    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.Create(x.Slice(i, Vector512<float>.Count));
                var t = Tanh(Vector512.Create(K0) * (v + Vector512.Create(K1) * v * v * v));
                (Vector512.Create(0.5f) * v * (Vector512<float>.One + t)).CopyTo(y.Slice(i, Vector512<float>.Count));
            }
        }
        for (; i < x.Length; i++) y[i] = Scalar(x[i]);
    }

    /// <summary>dX += dY · GELU′(x), or dX = dY · GELU′(x) when <paramref name="accumulate"/> is false.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate = true)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var half = Vector512.Create(0.5f);
            for (; i <= x.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.Create(x.Slice(i, Vector512<float>.Count));
                var v2 = v * v;
                var t = Tanh(Vector512.Create(K0) * (v + Vector512.Create(K1) * v2 * v));
                var du = Vector512.Create(K0) * (Vector512<float>.One + Vector512.Create(3 * K1) * v2);
                var grad = half * (Vector512<float>.One + t) + half * v * (Vector512<float>.One - t * t) * du;
                var dx = accumulate ? Vector512.Create(dX.Slice(i, Vector512<float>.Count)) : Vector512<float>.Zero;
                (dx + grad * Vector512.Create(dY.Slice(i, Vector512<float>.Count))).CopyTo(dX.Slice(i, Vector512<float>.Count));
            }
        }
        for (; i < x.Length; i++) dX[i] = (accumulate ? dX[i] : 0f) + dY[i] * ScalarDerivative(x[i]);
    }

    /// <summary>tanh(u) = 1 − 2/(e^{2u} + 1), with e^{2u} = 2^{2u·log₂e} from the attention kernels' fast 2ˣ.</summary>
    private static Vector512<float> Tanh(Vector512<float> u)
    {
        var e = AttentionMath.Exp2(u * Vector512.Create(2f * AttentionMath.Log2E));
        return Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
    }

    private static float Scalar(float x) => 0.5f * x * (1f + MathF.Tanh(K0 * (x + K1 * x * x * x)));

    private static float ScalarDerivative(float x)
    {
        float t = MathF.Tanh(K0 * (x + K1 * x * x * x));
        return 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * K0 * (1f + 3f * K1 * x * x);
    }

    /// <summary>Double-precision oracle for tests.</summary>
    public static class Reference
    {
        public static double Value(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }
}
