using System.Numerics.Tensors;

namespace Sharpformer.Kernels;

/// <summary>
/// Layer normalisation over the last dimension: y = (x − mean)/√(var + eps) · γ + β.
/// The forward pass saves each row's mean and reciprocal standard deviation for the backward pass.
/// Every pass over a row is a TensorPrimitives call, which picks the widest accelerated width itself, so
/// there is no per-width path here.
/// </summary>
internal static class LayerNorm
{
    // x, y: (rows, c); gamma, beta: (c); mean, rstd: (rows). beta may be empty (no bias).
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> mean, Span<float> rstd, int rows, int c, float eps)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * c, c);
            var yr = y.Slice(r * c, c);
            float m = TensorPrimitives.Sum(xr) / c;
            TensorPrimitives.Subtract(xr, m, yr);                 // yr = x − mean
            float variance = TensorPrimitives.SumOfSquares(yr) / c; // two-pass: no cancellation
            float s = 1f / MathF.Sqrt(variance + eps);
            TensorPrimitives.Multiply(yr, s, yr);                  // yr = x̂
            if (beta.IsEmpty) TensorPrimitives.Multiply(yr, gamma, yr);
            else TensorPrimitives.FusedMultiplyAdd(yr, gamma, beta, yr);
            mean[r] = m;
            rstd[r] = s;
        }
    }

    /// <summary>
    /// Accumulates into dX (or overwrites it when <paramref name="accumulate"/> is false), and for this block
    /// of rows adds into dGamma/dBeta (the caller sums blocks in order).
    /// dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)), with dx̂ = dy ⊙ γ.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dY, Span<float> dX, Span<float> dGamma, Span<float> dBeta, int rows, int c, bool accumulate = true)
    {
        // Per row: x̂ (into a stack buffer), dx̂ = dy ⊙ γ, then the two means, then dx. Vectorised by TensorPrimitives.
        Span<float> xhat = c <= 4096 ? stackalloc float[c] : new float[c];
        Span<float> dxhat = c <= 4096 ? stackalloc float[c] : new float[c];
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * c, c);
            var dyr = dY.Slice(r * c, c);
            var dxr = dX.Slice(r * c, c);
            float s = rstd[r];
            TensorPrimitives.Subtract(xr, mean[r], xhat);
            TensorPrimitives.Multiply(xhat, s, xhat);
            TensorPrimitives.Multiply(dyr, gamma, dxhat);
            float meanDxhat = TensorPrimitives.Sum(dxhat) / c;
            float meanDxhatXhat = TensorPrimitives.Dot(dxhat, xhat) / c;
            TensorPrimitives.FusedMultiplyAdd(dyr, xhat, dGamma, dGamma);
            if (!dBeta.IsEmpty) TensorPrimitives.Add(dBeta, dyr, dBeta);
            // dx += s·(dx̂ − mean(dx̂)) − s·mean(dx̂ ⊙ x̂)·x̂
            TensorPrimitives.Subtract(dxhat, meanDxhat, dxhat);
            TensorPrimitives.MultiplyAdd(xhat, -meanDxhatXhat, dxhat, dxhat);
            if (accumulate) TensorPrimitives.MultiplyAdd(dxhat, s, dxr, dxr);
            else TensorPrimitives.Multiply(dxhat, s, dxr);
        }
    }

    /// <summary>Plain loops in double: the oracle for tests.</summary>
    public static class Reference
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
            Span<float> y, int rows, int c, float eps)
        {
            for (int r = 0; r < rows; r++)
            {
                double m = 0, v = 0;
                for (int j = 0; j < c; j++) m += x[r * c + j];
                m /= c;
                for (int j = 0; j < c; j++) v += (x[r * c + j] - m) * (x[r * c + j] - m);
                double s = 1 / Math.Sqrt(v / c + eps);
                for (int j = 0; j < c; j++)
                    y[r * c + j] = (float)((x[r * c + j] - m) * s * gamma[j] + (beta.IsEmpty ? 0 : beta[j]));
            }
        }

        /// <summary>
        /// dX += (or =) the gradient through the normalisation, dGamma += Σ_rows dy ⊙ x̂, dBeta += Σ_rows dy
        /// (dBeta may be empty), with the mean and 1/σ recomputed in double from x.
        /// </summary>
        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> dY, Span<float> dX,
            Span<float> dGamma, Span<float> dBeta, int rows, int c, float eps, bool accumulate = true)
        {
            var xhat = new double[c];
            var dxhat = new double[c];
            var dg = new double[c];
            var db = new double[c];
            for (int j = 0; j < c; j++) { dg[j] = dGamma[j]; db[j] = dBeta.IsEmpty ? 0 : dBeta[j]; }
            for (int r = 0; r < rows; r++)
            {
                double m = 0, v = 0;
                for (int j = 0; j < c; j++) m += x[r * c + j];
                m /= c;
                for (int j = 0; j < c; j++) v += (x[r * c + j] - m) * (x[r * c + j] - m);
                double s = 1 / Math.Sqrt(v / c + eps), meanDxhat = 0, meanDxhatXhat = 0;
                for (int j = 0; j < c; j++)
                {
                    xhat[j] = (x[r * c + j] - m) * s;
                    dxhat[j] = (double)dY[r * c + j] * gamma[j];
                    meanDxhat += dxhat[j] / c;
                    meanDxhatXhat += dxhat[j] * xhat[j] / c;
                    dg[j] += dY[r * c + j] * xhat[j];
                    db[j] += dY[r * c + j];
                }
                for (int j = 0; j < c; j++)
                {
                    double dx = s * (dxhat[j] - meanDxhat - xhat[j] * meanDxhatXhat);
                    dX[r * c + j] = (float)((accumulate ? dX[r * c + j] : 0) + dx);
                }
            }
            for (int j = 0; j < c; j++)
            {
                dGamma[j] = (float)dg[j];
                if (!dBeta.IsEmpty) dBeta[j] = (float)db[j];
            }
        }
    }
}
