using System.Numerics;
using System.Runtime.Intrinsics;

namespace Sharpformer.Kernels;

internal static unsafe partial class LshAttention
{
    /// <summary>Query positions hashed by one projection product: their (rows, buckets / 2) block stays in L1.</summary>
    private const int HashRows = 64;

    /// <summary>
    /// The tile of chunk m: query slots [FirstQuery, EndQuery) of the sorted order against the key tiles
    /// [FirstKeyTile, FirstKeyTile + Width / KeyWidth) (chunks m − 1 and m, or only chunk 0 for the first).
    /// </summary>
    private readonly record struct ChunkTile(int FirstQuery, int EndQuery, int FirstKeyTile, int Width)
    {
        public int Rows => EndQuery - FirstQuery;
    }

    /// <summary>
    /// One round's sorted orders of one head and the layout of its key tiles: key chunk m occupies columns
    /// [m·KeyWidth, (m + 1)·KeyWidth) of the packed keys, its last columns padding. Lives on the stack and
    /// points into per-thread scratch.
    /// </summary>
    private readonly ref struct RoundOrder
    {
        /// <summary>Positions sorted by (bucket, position): queries (Tq) and keys (Tk).</summary>
        public readonly int* QueryOrder, KeyOrder;

        /// <summary>(Chunks, KeyWidth): the positions of key chunk m, then int.MaxValue in its padding columns.</summary>
        public readonly int* KeyPositions;

        public readonly int Chunks, KeyWidth;
        private readonly int _chunkSize, _tq, _tk, _offset;
        private readonly bool _excludeSelf;
        private readonly AttentionShape _shape;
        private readonly SimdWidth _width;

        /// <summary>q: (Tq, hs) and k: (Tk, hs) of one head; rotations: (rounds, hs, buckets / 2); vector width of the call.</summary>
        public RoundOrder(SimdWidth width, HeadScratch scratch, float* q, float* k, float* rotations, int round, in AttentionShape shape,
            in LshOptions options)
        {
            _width = width;
            _shape = shape;
            _tq = shape.QueryLength; _tk = shape.KeyLength; _offset = _tk - _tq;
            _chunkSize = options.ChunkSize;
            _excludeSelf = options.ExcludeSelf;
            Chunks = (_tq + _chunkSize - 1) / _chunkSize;
            KeyWidth = AttentionTileGemm.RoundUp((_tk + Chunks - 1) / Chunks);
            int hs = shape.HeadSize, half = options.Buckets / 2, paddedHalf = AttentionTileGemm.RoundUp(half);

            // Ints live in float scratch: same size and alignment.
            QueryOrder = (int*)scratch.QueryOrder.Get(_tq);
            KeyOrder = (int*)scratch.KeyOrder.Get(_tk);
            KeyPositions = (int*)scratch.KeyPositions.Get((long)Chunks * KeyWidth);
            // R of this round (hs, half) -> (hs, paddedHalf) with zero columns, as the tile product wants.
            float* rotation = scratch.Rotation.Get((long)hs * paddedHalf);
            AttentionPacking.PadRows(rotations + (nint)round * hs * half, hs, half, rotation, paddedHalf, 1f);
            SortByBucket(width, q, _tq, hs, rotation, half, scratch, QueryOrder);
            SortByBucket(width, k, _tk, hs, rotation, half, scratch, KeyOrder);
            for (int m = 0; m < Chunks; m++)
            {
                int start = KeyChunkStart(m), count = KeyChunkStart(m + 1) - start;
                int* positions = KeyPositions + (nint)m * KeyWidth;
                for (int c = 0; c < count; c++) positions[c] = KeyOrder[start + c];
                for (int c = count; c < KeyWidth; c++) positions[c] = int.MaxValue;
            }
        }

        /// <summary>Columns of the widest score tile: two key chunks.</summary>
        public int TileWidth => 2 * KeyWidth;

        public ChunkTile Tile(int m)
        {
            int firstKeyTile = Math.Max(m - 1, 0);
            return new ChunkTile(m * _chunkSize, Math.Min((m + 1) * _chunkSize, _tq), firstKeyTile, (m - firstKeyTile + 1) * KeyWidth);
        }

        /// <summary>Kᵀ of the sorted keys in key tiles: x (Tk, hs) -> (Chunks, hs, KeyWidth), padding columns zero.</summary>
        public void PackTransposed(float* x, int hs, float* tiles)
        {
            for (int m = 0; m < Chunks; m++)
            {
                int start = KeyChunkStart(m);
                AttentionPacking.GatherTransposed(x, hs, KeyOrder + start, KeyChunkStart(m + 1) - start, tiles + (nint)m * hs * KeyWidth, KeyWidth);
            }
        }

        /// <summary>The sorted keys' rows: x (Tk, hs) -> (Chunks·KeyWidth, paddedHs), padding zero.</summary>
        public void PackRows(float* x, int hs, float* rows, int paddedHs)
        {
            for (int m = 0; m < Chunks; m++)
            {
                int start = KeyChunkStart(m);
                AttentionPacking.GatherRows(x, hs, KeyOrder + start, KeyChunkStart(m + 1) - start, rows + (nint)m * KeyWidth * paddedHs, KeyWidth, paddedHs, 1f);
            }
        }

        /// <summary>x (Tk, hs) += scale · rows (Chunks·KeyWidth, paddedHs) taken back to the keys' positions.</summary>
        public void ScatterAddRows(float* rows, int paddedHs, float* x, int hs, float scale)
        {
            for (int m = 0; m < Chunks; m++)
            {
                int start = KeyChunkStart(m);
                AttentionPacking.ScatterAddRows(_width, rows + (nint)m * KeyWidth * paddedHs, paddedHs, KeyOrder + start, KeyChunkStart(m + 1) - start, x, hs, scale);
            }
        }

        /// <summary>
        /// Sets to −∞ the entries of one score row (query at position <paramref name="query"/>, columns of
        /// <paramref name="tile"/>) that the query does not attend to: keys the causal or padding mask hides,
        /// the padding columns, and with <see cref="LshOptions.ExcludeSelf"/> the query's own position unless
        /// it is the only key left. Returns the number of entries kept.
        /// </summary>
        public int MaskRow(float* row, in ChunkTile tile, int query, int keyLength) => _width switch
        {
            SimdWidth.V512 => MaskRow<Width512, Vector512<float>>(row, tile, query, keyLength),
            SimdWidth.V256 => MaskRow<Width256, Vector256<float>>(row, tile, query, keyLength),
            SimdWidth.V128 => MaskRow<Width128, Vector128<float>>(row, tile, query, keyLength),
            _ => MaskRow<WidthScalar, float>(row, tile, query, keyLength),
        };

        private int MaskRow<TW, TV>(float* row, in ChunkTile tile, int query, int keyLength) where TW : struct, IAttentionWidth<TV> where TV : struct
        {
            int* positions = KeyPositions + (nint)tile.FirstKeyTile * KeyWidth;
            int visible = _shape.VisibleKeys(query, keyLength);
            int self = _excludeSelf ? query + _offset : -1; // no key has position −1
            var hidden = TW.Splat(float.NegativeInfinity);
            int kept = 0, selfColumn = -1;
            float selfScore = 0f;
            // Width is a whole number of 16-float tiles, so of vectors at every width.
            for (int c = 0; c < tile.Width; c += TW.Lanes)
            {
                var shown = TW.LessThan(positions + c, visible);
                var isSelf = TW.And(TW.Equal(positions + c, self), shown);
                var keep = TW.AndNot(shown, isSelf);
                uint selfBit = TW.Bits(isSelf);
                if (selfBit != 0)
                {
                    selfColumn = c + BitOperations.TrailingZeroCount(selfBit);
                    selfScore = row[selfColumn];
                }
                kept += BitOperations.PopCount(TW.Bits(keep));
                TW.Store(row + c, TW.Select(keep, TW.Load(row + c), hidden));
            }
            if (kept > 0 || selfColumn < 0) return kept;
            row[selfColumn] = selfScore; // a query that sees nothing else attends to itself
            return 1;
        }

        private int KeyChunkStart(int chunk) => (int)((long)Math.Min(chunk, Chunks) * _tk / Chunks);

        /// <summary>
        /// order = positions [0, n) sorted by (bucket, position): a stable counting sort. x: (n, hs);
        /// rotation: (hs, paddedHalf), columns past <paramref name="half"/> zero.
        /// </summary>
        private static void SortByBucket(SimdWidth width, float* x, int n, int hs, float* rotation, int half, HeadScratch scratch, int* order)
        {
            int paddedHalf = AttentionTileGemm.RoundUp(half);
            int* buckets = (int*)scratch.Buckets.Get(n);
            int* counts = (int*)scratch.Counts.Get(2 * half + 1);
            float* projection = scratch.Projection.Get((long)HashRows * paddedHalf);
            new Span<int>(counts, 2 * half + 1).Clear();
            for (int p0 = 0; p0 < n; p0 += HashRows)
            {
                int rows = Math.Min(HashRows, n - p0);
                // projection (rows, paddedHalf) = x (rows, hs) · R (hs, paddedHalf); bucket = argmax over [projection, −projection].
                AttentionTileGemm.Multiply(width, rows, hs, paddedHalf, x + (nint)p0 * hs, hs, 1, rotation, paddedHalf, projection, paddedHalf, accumulate: false);
                for (int r = 0; r < rows; r++)
                {
                    float* row = projection + (nint)r * paddedHalf;
                    int best = 0;
                    float bestValue = row[0];
                    for (int b = 1; b < 2 * half; b++)
                    {
                        float value = b < half ? row[b] : -row[b - half];
                        if (value > bestValue) { bestValue = value; best = b; }
                    }
                    buckets[p0 + r] = best;
                    counts[best + 1]++;
                }
            }
            for (int b = 0; b < 2 * half; b++) counts[b + 1] += counts[b];
            for (int p = 0; p < n; p++) order[counts[buckets[p]]++] = p;
        }
    }

    /// <summary>Per-thread buffers: one round's orders and packed keys, one head's running rows, one chunk's tiles.</summary>
    private sealed class HeadScratch
    {
        [ThreadStatic] private static HeadScratch? t_current;
        public static HeadScratch Current => t_current ??= new HeadScratch();

        public readonly AttentionScratch QueryOrder = new(Scratch), KeyOrder = new(Scratch), KeyPositions = new(Scratch),
            Buckets = new(Scratch), Counts = new(Scratch), Rotation = new(Scratch), Projection = new(Scratch);
        public readonly AttentionScratch KeysT = new(Scratch), ValuesT = new(Scratch), Keys = new(Scratch), Values = new(Scratch),
            KeyGrad = new(Scratch), ValueGrad = new(Scratch);
        public readonly AttentionScratch Output = new(Scratch), Rows = new(Scratch);
        public readonly AttentionScratch Queries = new(Scratch), OutputGrad = new(Scratch), Scores = new(Scratch), ScoreGrad = new(Scratch),
            ChunkOutput = new(Scratch), ChunkRows = new(Scratch);
    }
}
