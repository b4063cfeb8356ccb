using System.Numerics.Tensors;
using Sharpformer.Autograd;

namespace Sharpformer.Training;

/// <summary>Scales all gradients together so that their global L2 norm is at most a limit (first measured, so that a NaN or ∞ is seen before it spreads).</summary>
internal static class GradientClipping
{
    /// <summary>The L2 norm of all gradients together; NaN or ∞ when one of them is not finite.</summary>
    public static float GlobalNorm(IEnumerable<Variable> parameters)
    {
        double sumSq = 0;
        foreach (var p in parameters) if (p.Grad != null) sumSq += TensorPrimitives.SumOfSquares(p.Grad.Span);
        return (float)Math.Sqrt(sumSq);
    }

    /// <summary>Scales the gradients by maxNorm / norm when <paramref name="norm"/> (their global norm) is over the limit.</summary>
    public static void ClipToNorm(IEnumerable<Variable> parameters, float norm, float maxNorm)
    {
        if (!(maxNorm > 0 && norm > maxNorm)) return;
        float scale = maxNorm / (norm + 1e-6f);
        foreach (var p in parameters) if (p.Grad != null) TensorPrimitives.Multiply(p.Grad.Span, scale, p.Grad.Span);
    }
}
