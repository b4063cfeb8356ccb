using System.Numerics.Tensors;

namespace Sharpformer.Kernels;

/// <summary>ReLU: y = max(x, 0); its gradient passes where x &gt; 0.</summary>
public static class Relu
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>Accumulates dX += dY where x &gt; 0.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX)
    {
        for (int i = 0; i < x.Length; i++)
            if (x[i] > 0) dX[i] += dY[i];
    }
}
