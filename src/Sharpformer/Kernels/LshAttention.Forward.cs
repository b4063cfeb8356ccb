namespace Sharpformer.Kernels;

public static unsafe partial class LshAttention
{
    [ThreadStatic] private static Job? t_job;

    /// <summary>
    /// O = softmax over every round's entries of q·k·scale, times V, and lse per row. q, o: (B·nh, Tq, hs);
    /// k, v: (B·nh, Tk, hs); lse: (B·nh, Tq); rotations: (rounds, hs, buckets / 2). A row with no entry gets
    /// O = 0 and lse = −∞.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, LshOptions options, ReadOnlySpan<float> rotations, Span<float> o, Span<float> lse)
    {
        ValidateInputs(q, k, v, keyLengths, shape, options, rotations);
        shape.RequireQuery(o.Length, nameof(o));
        shape.RequireRows(lse.Length, nameof(lse));
        var job = t_job ??= new Job();
        fixed (float* pq = q, pk = k, pv = v, po = o, pl = lse, pr = rotations)
        {
            job.Prepare(pq, pk, pv, po, pl, null, null, null, null, pr, keyLengths, shape, options);
            Parallelism.For(shape.BatchHeads, job.ForwardBody, Math.Max(1, job.WorkPerHead));
        }
    }

    /// <summary>One call's pointers, kept per calling thread so the parallel bodies are cached delegates.</summary>
    private sealed partial class Job
    {
        public readonly Action<int> ForwardBody, BackwardBody;
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse, _dO, _dQ, _dK, _dV, _rotations;
        private AttentionShape _shape;
        private LshOptions _options;

        public Job()
        {
            ForwardBody = ForwardHead;
            BackwardBody = BackwardHead;
        }

        /// <summary>Rough flops per head: hashing plus two chunks of keys per query and round.</summary>
        public long WorkPerHead => (long)_options.Rounds * _shape.HeadSize
            * ((long)(_shape.QueryLength + _shape.KeyLength) * _options.Buckets + 8L * _shape.QueryLength * _options.ChunkSize);

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, float* dO, float* dQ, float* dK, float* dV, float* rotations,
            ReadOnlySpan<int> keyLengths, in AttentionShape shape, in LshOptions options)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _dO = dO; _dQ = dQ; _dK = dK; _dV = dV; _rotations = rotations;
            _shape = shape; _options = options;
            SparseRowMath.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
        }

        private void ForwardHead(int bh)
        {
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
            int keyLength = _keyLengths[bh / shape.Heads];
            var scratch = HeadScratch.Current;
            float* max = scratch.Rows.Get(2L * tq), sum = max + tq;
            float* acc = scratch.Output.Get((long)tq * hs); // (Tq, hs) unnormalised output
            new Span<float>(acc, tq * hs).Clear();
            for (int i = 0; i < tq; i++) { max[i] = float.NegativeInfinity; sum[i] = 0f; }
            float* q = _q + (nint)bh * tq * hs, k = _k + (nint)bh * tk * hs, v = _v + (nint)bh * tk * hs;
            for (int round = 0; round < _options.Rounds; round++)
            {
                var order = new RoundOrder(scratch, _q, _k, _rotations, bh, round, shape, _options);
                for (int slot = 0; slot < tq; slot++)
                {
                    int i = order.QueryAt(slot), count = order.Candidates(slot, keyLength, out var keys);
                    float* qRow = q + (nint)i * hs, accRow = acc + (nint)i * hs;
                    for (int e = 0; e < count; e++)
                    {
                        int j = keys[e];
                        float s = SparseRowMath.Dot(qRow, k + (nint)j * hs, hs) * shape.Scale;
                        // Online softmax, one entry at a time.
                        if (s > max[i])
                        {
                            float rescale = MathF.Exp(max[i] - s); // 0 for the first entry (max = −∞)
                            sum[i] *= rescale;
                            SparseRowMath.Scale(accRow, hs, rescale);
                            max[i] = s;
                        }
                        float p = MathF.Exp(s - max[i]);
                        sum[i] += p;
                        SparseRowMath.AddScaled(accRow, v + (nint)j * hs, hs, p);
                    }
                }
            }
            float* o = _o + (nint)bh * tq * hs, lse = _lse + (nint)bh * tq;
            for (int i = 0; i < tq; i++)
            {
                bool empty = sum[i] == 0f;
                float inverse = empty ? 0f : 1f / sum[i];
                for (int c = 0; c < hs; c++) o[(nint)i * hs + c] = acc[(nint)i * hs + c] * inverse;
                lse[i] = empty ? float.NegativeInfinity : max[i] + MathF.Log(sum[i]);
            }
        }
    }
}
