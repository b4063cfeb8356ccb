namespace Sharpformer.Kernels;

internal static unsafe partial class FlashAttention
{
    /// <summary>
    /// Below this many queries the forward works row by row straight from K and V: a decoder step
    /// (Tq = 1) would otherwise spend as long transposing K into tiles as attending.
    /// </summary>
    internal const int RowPathMaxQueries = 8;

    [ThreadStatic] private static RowJob? t_rowJob;

    private static void ForwardByRows(float* q, float* k, float* v, float* o, float* lse, ReadOnlySpan<int> keyLengths, in AttentionShape shape,
        SimdWidth width)
    {
        var job = t_rowJob ??= new RowJob();
        job.Prepare(q, k, v, o, lse, keyLengths, shape, width);
        Parallelism.For(shape.BatchHeads, job.HeadBody, 4L * shape.QueryLength * shape.KeyLength * shape.HeadSize);
    }

    /// <summary>One head's few query rows: scores by dot products, an exact softmax, O = Σ p_j·v_j.</summary>
    private sealed class RowJob
    {
        public readonly Action<int> HeadBody;
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _o, _lse;
        private AttentionShape _shape;
        private SimdWidth _simd;

        public RowJob() => HeadBody = RunHead;

        public void Prepare(float* q, float* k, float* v, float* o, float* lse, ReadOnlySpan<int> keyLengths, in AttentionShape shape, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _o = o; _lse = lse; _shape = shape; _simd = width;
            CopyKeyLengths(ref _keyLengths, keyLengths, shape);
        }

        private void RunHead(int bh)
        {
            ref readonly var shape = ref _shape;
            int tq = shape.QueryLength, tk = shape.KeyLength, hs = shape.HeadSize;
            int keyLength = _keyLengths[bh / shape.Heads];
            float* scores = RowScratch.Current.Scores.Get(tk); // (Tk) base-2 scores, then weights
            float* keys = _k + (nint)bh * tk * hs, values = _v + (nint)bh * tk * hs;
            float qScale = shape.Scale * AttentionMath.Log2E;
            for (int i = 0; i < tq; i++)
            {
                float* qRow = _q + ((nint)bh * tq + i) * hs;
                float* oRow = _o + ((nint)bh * tq + i) * hs;
                new Span<float>(oRow, hs).Clear();
                int visible = shape.VisibleKeys(i, keyLength);
                if (visible == 0)
                {
                    _lse[(nint)bh * tq + i] = float.NegativeInfinity;
                    continue;
                }
                for (int j = 0; j < visible; j++) scores[j] = AttentionMath.Dot(_simd, qRow, keys + (nint)j * hs, hs) * qScale;
                float max = AttentionMath.Max(_simd, scores, visible);
                float sum = AttentionMath.Exp2InPlace(_simd, scores, visible, max);
                for (int j = 0; j < visible; j++) AttentionMath.AddScaled(_simd, oRow, values + (nint)j * hs, hs, scores[j]);
                AttentionMath.Scale(_simd, oRow, hs, 1f / sum);
                _lse[(nint)bh * tq + i] = (max + MathF.Log2(sum)) * AttentionMath.Ln2;
            }
        }
    }

    private sealed class RowScratch
    {
        [ThreadStatic] private static RowScratch? t_current;
        public static RowScratch Current => t_current ??= new RowScratch();
        public readonly AttentionScratch Scores = new(ForwardScratch);
    }
}
