using System.Numerics.Tensors;
using Sharpformer.Autograd;

namespace Sharpformer.Training;

/// <summary>Scales all gradients together so that their global L2 norm is at most a limit.</summary>
internal static class GradientClipping
{
    /// <summary>Returns the norm before clipping (the figure training logs show).</summary>
    public static float ClipGlobalNorm(IEnumerable<Variable> parameters, float maxNorm)
    {
        var list = parameters.Where(p => p.Grad != null).ToList();
        double sumSq = 0;
        foreach (var p in list) sumSq += TensorPrimitives.SumOfSquares(p.Grad!.Span);
        float norm = (float)Math.Sqrt(sumSq);
        if (maxNorm > 0 && norm > maxNorm)
        {
            float scale = maxNorm / (norm + 1e-6f);
            foreach (var p in list) TensorPrimitives.Multiply(p.Grad!.Span, scale, p.Grad!.Span);
        }
        return norm;
    }
}
