namespace Sharpformer.Kernels;

/// <summary>
/// Plain attention by the definition, in double precision, one query row at a time: the oracle the fast
/// kernels are tested against (itself checked against finite differences). Slow and allocating by design.
/// </summary>
internal static class AttentionReference
{
    /// <summary>O = softmax(Q·Kᵀ·scale + mask)·V; a row that sees no key gives zeros. Layouts as in <see cref="AttentionShape"/>.</summary>
    public static void Forward(ReadOnlySpan<double> q, ReadOnlySpan<double> k, ReadOnlySpan<double> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<double> o)
    {
        Check(q.Length, k.Length, v.Length, keyLengths, shape);
        AttentionShape.Require(o.Length, shape.QuerySize, nameof(o), "(B·nh, Tq, hs)");
        int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
        var p = new double[tk];
        for (int bh = 0; bh < shape.BatchHeads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
            for (int i = 0; i < tq; i++)
            {
                int visible = Probabilities(q, k, bh, i, shape, keyLength, p);
                var oRow = o.Slice((bh * tq + i) * hs, hs);
                oRow.Clear();
                for (int j = 0; j < visible; j++)
                    for (int c = 0; c < hs; c++) oRow[c] += p[j] * v[(bh * tk + j) * hs + c];
            }
        }
    }

    /// <summary>
    /// Gradients of Σ dO ⊙ O with respect to q, k and v (overwritten), recomputing the probabilities:
    /// dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale, dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO.
    /// </summary>
    public static void Backward(ReadOnlySpan<double> q, ReadOnlySpan<double> k, ReadOnlySpan<double> v, ReadOnlySpan<double> dO,
        ReadOnlySpan<int> keyLengths, AttentionShape shape, Span<double> dQ, Span<double> dK, Span<double> dV)
    {
        Check(q.Length, k.Length, v.Length, keyLengths, shape);
        AttentionShape.Require(dO.Length, shape.QuerySize, nameof(dO), "(B·nh, Tq, hs)");
        AttentionShape.Require(dQ.Length, shape.QuerySize, nameof(dQ), "(B·nh, Tq, hs)");
        AttentionShape.Require(dK.Length, shape.KeySize, nameof(dK), "(B·nh, Tk, hs)");
        AttentionShape.Require(dV.Length, shape.KeySize, nameof(dV), "(B·nh, Tk, hs)");
        int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
        dQ.Clear(); dK.Clear(); dV.Clear();
        var p = new double[tk];
        var dP = new double[tk];
        for (int bh = 0; bh < shape.BatchHeads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
            for (int i = 0; i < tq; i++)
            {
                int visible = Probabilities(q, k, bh, i, shape, keyLength, p);
                var dORow = dO.Slice((bh * tq + i) * hs, hs);
                double rowDot = 0;
                for (int j = 0; j < visible; j++)
                {
                    double d = 0;
                    for (int c = 0; c < hs; c++) d += dORow[c] * v[(bh * tk + j) * hs + c];
                    dP[j] = d;
                    rowDot += p[j] * d;
                }
                for (int j = 0; j < visible; j++)
                {
                    double dS = p[j] * (dP[j] - rowDot) * shape.Scale;
                    for (int c = 0; c < hs; c++)
                    {
                        int qi = (bh * tq + i) * hs + c, kj = (bh * tk + j) * hs + c;
                        dQ[qi] += dS * k[kj];
                        dK[kj] += dS * q[qi];
                        dV[kj] += p[j] * dORow[c];
                    }
                }
            }
        }
    }

    /// <summary>Float convenience form of <see cref="Forward(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{int}, AttentionShape, Span{double})"/>.</summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<float> o)
    {
        var od = new double[o.Length];
        Forward(ToDouble(q), ToDouble(k), ToDouble(v), keyLengths, shape, od);
        for (int i = 0; i < o.Length; i++) o[i] = (float)od[i];
    }

    /// <summary>Float convenience form of the double-precision backward.</summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> dO,
        ReadOnlySpan<int> keyLengths, AttentionShape shape, Span<float> dQ, Span<float> dK, Span<float> dV)
    {
        var (dq, dk, dv) = (new double[dQ.Length], new double[dK.Length], new double[dV.Length]);
        Backward(ToDouble(q), ToDouble(k), ToDouble(v), ToDouble(dO), keyLengths, shape, dq, dk, dv);
        for (int i = 0; i < dq.Length; i++) dQ[i] = (float)dq[i];
        for (int i = 0; i < dk.Length; i++) { dK[i] = (float)dk[i]; dV[i] = (float)dv[i]; }
    }

    /// <summary>Softmax of row i of head bh into p[0..visible); returns visible (0 = fully masked row).</summary>
    private static int Probabilities(ReadOnlySpan<double> q, ReadOnlySpan<double> k, int bh, int i, in AttentionShape shape, int keyLength, double[] p)
    {
        int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
        int visible = shape.VisibleKeys(i, keyLength);
        double max = double.NegativeInfinity;
        for (int j = 0; j < visible; j++)
        {
            double s = 0;
            for (int c = 0; c < hs; c++) s += q[(bh * tq + i) * hs + c] * k[(bh * tk + j) * hs + c];
            p[j] = s * shape.Scale;
            max = Math.Max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < visible; j++) { p[j] = Math.Exp(p[j] - max); sum += p[j]; }
        for (int j = 0; j < visible; j++) p[j] /= sum;
        return visible;
    }

    private static void Check(int q, int k, int v, ReadOnlySpan<int> keyLengths, in AttentionShape shape)
    {
        shape.Validate(keyLengths);
        AttentionShape.Require(q, shape.QuerySize, nameof(q), "(B·nh, Tq, hs)");
        AttentionShape.Require(k, shape.KeySize, nameof(k), "(B·nh, Tk, hs)");
        AttentionShape.Require(v, shape.KeySize, nameof(v), "(B·nh, Tk, hs)");
    }

    private static double[] ToDouble(ReadOnlySpan<float> x)
    {
        var d = new double[x.Length];
        for (int i = 0; i < x.Length; i++) d[i] = x[i];
        return d;
    }
}
