namespace Sharpformer.Kernels;

internal static unsafe partial class FullAttention
{
    [ThreadStatic] private static ForwardJob? t_forwardJob;

    /// <summary>
    /// probs = softmax(Q·Kᵀ·scale + mask), (B·nh, Tq, Tk), and O = probs·V, (B·nh, Tq, hs).
    /// Parallel over (batch·head, query tile).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<float> probs, Span<float> o) => Forward(q, k, v, keyLengths, shape, probs, o, Simd.Best);

    /// <summary>The same at vector width <paramref name="width"/>, which must be accelerated here (tests run each one).</summary>
    internal static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<int> keyLengths,
        AttentionShape shape, Span<float> probs, Span<float> o, SimdWidth width)
    {
        Simd.Require(width);
        ValidateInputs(q, k, v, keyLengths, shape);
        shape.RequireScores(probs.Length, nameof(probs));
        shape.RequireQuery(o.Length, nameof(o));
        var job = t_forwardJob ??= new ForwardJob();
        fixed (float* pq = q, pk = k, pv = v, pp = probs, po = o)
        {
            job.Prepare(pq, pk, pv, pp, po, keyLengths, shape, width);
            Parallelism.For(shape.BatchHeads, job.PackBody, 2 * AttentionPacking.WorkPerElement * shape.KeyLength * shape.HeadSize); // Kᵀ and V
            Parallelism.For(shape.BatchHeads * job.QueryTiles, job.TileBody, 4L * QueryTile * shape.KeyLength * shape.HeadSize);
        }
    }

    private sealed class ForwardJob
    {
        public readonly Action<int> PackBody, TileBody;
        private readonly AttentionScratch _keysTransposed = new(ForwardScratch), _valuesPadded = new(ForwardScratch);
        private int[] _keyLengths = [];
        private float* _q, _k, _v, _probs, _o, _kt, _vp;
        private AttentionShape _shape;
        private long _tiledKeys;
        private int _paddedHs;
        private SimdWidth _simd;
        public int QueryTiles;

        public ForwardJob()
        {
            PackBody = Pack;
            TileBody = RunTile;
        }

        public void Prepare(float* q, float* k, float* v, float* probs, float* o, ReadOnlySpan<int> keyLengths, in AttentionShape shape, SimdWidth width)
        {
            _q = q; _k = k; _v = v; _probs = probs; _o = o; _shape = shape; _simd = width;
            FlashAttention.CopyKeyLengths(ref _keyLengths, keyLengths, shape);
            _tiledKeys = AttentionPacking.TiledSize(shape.KeyLength, shape.HeadSize, KeyTile);
            _paddedHs = AttentionTileGemm.RoundUp(shape.HeadSize);
            QueryTiles = (shape.QueryLength + QueryTile - 1) / QueryTile;
            // Kᵀ per head in key tiles: (B·nh, Tk / KeyTile, hs, KeyTile); V is padded only when hs is not a whole number of vectors.
            _kt = _keysTransposed.Get(shape.BatchHeads * _tiledKeys);
            _vp = _paddedHs == shape.HeadSize ? v : _valuesPadded.Get((long)shape.BatchHeads * shape.KeyLength * _paddedHs);
        }

        private void Pack(int bh)
        {
            int tk = _shape.KeyLength, hs = _shape.HeadSize;
            AttentionPacking.TransposeTiles(_k + (nint)bh * tk * hs, tk, hs, _kt + bh * _tiledKeys, KeyTile);
            if (_vp != _v) AttentionPacking.PadRows(_v + (nint)bh * tk * hs, tk, hs, _vp + (nint)bh * tk * _paddedHs, _paddedHs, 1f);
        }

        private void RunTile(int item)
        {
            int bh = item / QueryTiles;
            int tile = QueryTiles - 1 - item % QueryTiles; // heaviest (causal) tiles first
            ref readonly var shape = ref _shape;
            int hs = shape.HeadSize, dp = _paddedHs, tq = shape.QueryLength, tk = shape.KeyLength;
            int keyLength = _keyLengths[bh / shape.Heads];
            int q0 = tile * QueryTile, rows = Math.Min(QueryTile, tq - q0);

            var scratch = TileScratch.Current;
            float* qs = scratch.Queries.Get(QueryTile * hs);   // (rows, hs) · scale · log₂e
            float* s = scratch.Scores.Get(QueryTile * KeyTile); // (rows, KeyTile) base-2 scores, when not written in place
            float* oDst = _o + ((nint)bh * tq + q0) * hs;
            float* acc = dp == hs ? oDst : scratch.Output.Get(QueryTile * dp); // (rows, dp), written in place when hs = dp

            float* qSrc = _q + ((nint)bh * tq + q0) * hs;
            float qScale = shape.Scale * AttentionMath.Log2E;
            AttentionPacking.ScaleCopy(qSrc, rows * hs, qs, qScale);

            float* kt = _kt + bh * _tiledKeys;
            float* probs = _probs + ((nint)bh * tq + q0) * tk; // (rows, Tk)
            int keyEnd = shape.VisibleKeys(q0 + rows - 1, keyLength);
            // Under a causal mask each block of rows computes scores only up to its own last visible key: the rest of
            // the row is masked below and never read.
            int diagonal = q0 + shape.CausalOffset;
            // When Tk is a whole number of 16-float tiles, a padded tile of scores still ends inside its row of probs,
            // so the product writes there; otherwise it writes a scratch tile that is then copied.
            bool inPlace = tk % AttentionTileGemm.Lanes == 0;
            for (int j0 = 0; j0 < keyEnd; j0 += KeyTile)
            {
                int keys = Math.Min(KeyTile, keyEnd - j0);
                AttentionTileGemm.Multiply(_simd, rows, hs, AttentionTileGemm.RoundUp(keys), qs, hs, 1, AttentionPacking.Tile(kt, j0, hs, KeyTile), KeyTile,
                    inPlace ? probs + j0 : s, inPlace ? tk : KeyTile,
                    accumulate: false, band: CausalBand.For(shape.Causal, CausalSkip.KeyColumns, diagonal - j0));
                if (!inPlace)
                    for (int r = 0; r < rows; r++)
                        new ReadOnlySpan<float>(s + r * KeyTile, keys).CopyTo(new Span<float>(probs + (nint)r * tk + j0, keys));
            }
            for (int r = 0; r < rows; r++)
            {
                float* row = probs + (nint)r * tk;
                int visible = shape.VisibleKeys(q0 + r, keyLength);
                if (visible > 0)
                {
                    float max = AttentionMath.Max(_simd, row, visible);
                    float sum = AttentionMath.Exp2InPlace(_simd, row, visible, max);
                    AttentionMath.Scale(_simd, row, visible, 1f / sum);
                }
                new Span<float>(row + visible, tk - visible).Clear();
            }
            // O (rows, dp) = P (rows, keyEnd) · V (keyEnd, dp)
            AttentionTileGemm.Multiply(_simd, rows, keyEnd, dp, probs, tk, 1, _vp + (nint)bh * tk * dp, dp, acc, dp,
                accumulate: false, band: CausalBand.For(shape.Causal, CausalSkip.KeyDepth, diagonal));
            if (acc != oDst) AttentionPacking.UnpadRows(acc, rows, dp, oDst, hs, 1f);
        }
    }

    /// <summary>Per-thread tiles of the forward pass.</summary>
    private sealed class TileScratch
    {
        [ThreadStatic] private static TileScratch? t_current;
        public static TileScratch Current => t_current ??= new TileScratch();
        public readonly AttentionScratch Queries = new(ForwardScratch), Scores = new(ForwardScratch), Output = new(ForwardScratch);
    }
}
