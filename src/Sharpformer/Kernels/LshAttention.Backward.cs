namespace Sharpformer.Kernels;

public static unsafe partial class LshAttention
{
    /// <summary>
    /// Gradients of the hashing attention from the forward's o and lse, rehashing and recomputing every entry:
    /// D = rowsum(dO ⊙ O); per entry P = exp(S − lse), dS = P·(dO·vⱼ − D)·scale; dQ += dS·K, dK += dSᵀ·Q,
    /// dV += Pᵀ·dO. dQ, dK, dV are overwritten. A work item owns one head's gradients.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> o,
        ReadOnlySpan<float> lse, ReadOnlySpan<float> dO, ReadOnlySpan<int> keyLengths, AttentionShape shape, LshOptions options,
        ReadOnlySpan<float> rotations, Span<float> dQ, Span<float> dK, Span<float> dV)
    {
        ValidateInputs(q, k, v, keyLengths, shape, options, rotations);
        shape.RequireBackwardBuffers(o.Length, lse.Length, dO.Length, dQ.Length, dK.Length, dV.Length);
        var job = t_job ??= new Job();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pdo = dO, pdq = dQ, pdk = dK, pdv = dV, pr = rotations)
        {
            job.Prepare(pq, pk, pv, po, pl, pdo, pdq, pdk, pdv, pr, keyLengths, shape, options);
            Parallelism.For(shape.BatchHeads, job.BackwardBody, Math.Max(1, 3 * job.WorkPerHead));
        }
    }

    private sealed partial class Job
    {
        private void BackwardHead(int bh)
        {
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
            int keyLength = _keyLengths[bh / shape.Heads];
            var scratch = HeadScratch.Current;
            float* q = _q + (nint)bh * tq * hs, k = _k + (nint)bh * tk * hs, v = _v + (nint)bh * tk * hs;
            float* o = _o + (nint)bh * tq * hs, dO = _dO + (nint)bh * tq * hs, lse = _lse + (nint)bh * tq;
            float* dQ = _dQ + (nint)bh * tq * hs, dK = _dK + (nint)bh * tk * hs, dV = _dV + (nint)bh * tk * hs;
            new Span<float>(dQ, tq * hs).Clear();
            new Span<float>(dK, tk * hs).Clear();
            new Span<float>(dV, tk * hs).Clear();
            float* delta = scratch.Rows.Get(tq);
            for (int i = 0; i < tq; i++) delta[i] = SparseRowMath.Dot(dO + (nint)i * hs, o + (nint)i * hs, hs); // D = rowsum(dO ⊙ O)
            for (int round = 0; round < _options.Rounds; round++)
            {
                var order = new RoundOrder(scratch, _q, _k, _rotations, bh, round, shape, _options);
                for (int slot = 0; slot < tq; slot++)
                {
                    int i = order.QueryAt(slot), count = order.Candidates(slot, keyLength, out var keys);
                    float* qRow = q + (nint)i * hs, dORow = dO + (nint)i * hs, dQRow = dQ + (nint)i * hs;
                    for (int e = 0; e < count; e++)
                    {
                        int j = keys[e];
                        float s = SparseRowMath.Dot(qRow, k + (nint)j * hs, hs) * shape.Scale;
                        float p = MathF.Exp(s - lse[i]);
                        float dS = p * (SparseRowMath.Dot(dORow, v + (nint)j * hs, hs) - delta[i]) * shape.Scale;
                        SparseRowMath.AddScaled(dQRow, k + (nint)j * hs, hs, dS);
                        SparseRowMath.AddScaled(dK + (nint)j * hs, qRow, hs, dS);
                        SparseRowMath.AddScaled(dV + (nint)j * hs, dORow, hs, p);
                    }
                }
            }
        }
    }
}
