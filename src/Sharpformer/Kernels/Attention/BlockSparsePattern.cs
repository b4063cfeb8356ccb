namespace Sharpformer.Kernels;

/// <summary>
/// Which key tiles each query tile of a block-sparse attention visits, and which scores inside a visited tile
/// count. Tiles are <see cref="TileSize"/> queries by <see cref="TileSize"/> keys. Per (group, query tile) the
/// visited key tiles are kept sorted, each flagged <em>whole</em> (every score the causal/padding mask allows
/// counts) or <em>banded</em> (a score counts only when <see cref="Allowed"/> says so: inside the window band or
/// touching a global token). A group is one pattern shared by all heads (<see cref="Groups"/> = 1) or one
/// pattern per batch·head (<see cref="Groups"/> = B·nh, as when tiles are chosen from the data).
/// <para>Positions: query i stands at key position i + (Tk − Tq), so the ends of the two sequences line up as
/// in the causal mask. Buffers grow to the largest pattern seen and are reused by later builds.</para>
/// </summary>
internal sealed class BlockSparsePattern
{
    private int[] _start = [0];   // (Groups·QueryTiles + 1) offsets into _tiles
    private int[] _tiles = [];    // key tile indices, sorted within each query tile
    private bool[] _whole = [];   // per entry: whole tile (true) or banded (false)
    private byte[] _marks = [];   // (KeyTiles) marks of the query tile being built: 0 none, 1 banded, 2 whole
    private int _count, _committed;

    public int TileSize { get; private set; } = 64;
    public int Groups { get; private set; }
    public int QueryTiles { get; private set; }
    public int KeyTiles { get; private set; }
    public int QueryLength { get; private set; }
    public int KeyLength { get; private set; }

    /// <summary>Band half-width of banded tiles: a score counts when |position(i) − j| &lt; Window.</summary>
    public int Window { get; private set; } = int.MaxValue;

    /// <summary>The first GlobalTokens positions attend to, and are attended by, every position of banded tiles.</summary>
    public int GlobalTokens { get; private set; }

    /// <summary>Visited (query tile, key tile) pairs over all groups.</summary>
    public int EntryCount => _count;

    /// <summary>
    /// Starts a new pattern for queries of length <paramref name="queryLength"/> and keys of length
    /// <paramref name="keyLength"/>; then call <see cref="Mark"/> and <see cref="CommitQueryTile"/> for every
    /// (group, query tile) in order.
    /// </summary>
    public void Begin(int groups, int queryLength, int keyLength, int tileSize, int window, int globalTokens)
    {
        if (groups < 1) throw new ArgumentException($"Pattern groups must be at least 1, got {groups}.", nameof(groups));
        if (queryLength < 1 || keyLength < 1)
            throw new ArgumentException($"Pattern lengths must be at least 1, got Tq={queryLength}, Tk={keyLength}.", nameof(queryLength));
        if (tileSize < 1) throw new ArgumentException($"Tile size must be at least 1, got {tileSize}.", nameof(tileSize));
        if (window < 1) throw new ArgumentException($"Window must be at least 1, got {window}.", nameof(window));
        if (globalTokens < 0) throw new ArgumentException($"Global tokens must be at least 0, got {globalTokens}.", nameof(globalTokens));
        Groups = groups; QueryLength = queryLength; KeyLength = keyLength; TileSize = tileSize;
        Window = window; GlobalTokens = globalTokens;
        QueryTiles = (queryLength + tileSize - 1) / tileSize;
        KeyTiles = (keyLength + tileSize - 1) / tileSize;
        if (_start.Length < groups * QueryTiles + 1) _start = new int[groups * QueryTiles + 1];
        if (_marks.Length < KeyTiles) _marks = new byte[KeyTiles];
        Array.Clear(_marks, 0, KeyTiles);
        _count = 0;
        _committed = 0;
        _start[0] = 0;
    }

    /// <summary>Marks key tile <paramref name="keyTile"/> as visited by the current query tile; whole wins over banded.</summary>
    public void Mark(int keyTile, bool whole)
    {
        if ((uint)keyTile >= (uint)KeyTiles)
            throw new ArgumentException($"Key tile must be in [0, {KeyTiles}), got {keyTile}.", nameof(keyTile));
        byte mark = whole ? (byte)2 : (byte)1;
        if (_marks[keyTile] < mark) _marks[keyTile] = mark;
    }

    /// <summary>Whether key tile <paramref name="keyTile"/> is already marked for the current query tile.</summary>
    public bool IsMarked(int keyTile) => _marks[keyTile] != 0;

    /// <summary>Closes the current (group, query tile): its marked tiles become its sorted entry list.</summary>
    public void CommitQueryTile()
    {
        if (_committed >= Groups * QueryTiles) throw new InvalidOperationException("Every query tile of the pattern is already committed.");
        for (int t = 0; t < KeyTiles; t++)
        {
            if (_marks[t] == 0) continue;
            if (_count == _tiles.Length)
            {
                Array.Resize(ref _tiles, Math.Max(16, 2 * _tiles.Length));
                Array.Resize(ref _whole, _tiles.Length);
            }
            _tiles[_count] = t;
            _whole[_count] = _marks[t] == 2;
            _count++;
            _marks[t] = 0;
        }
        _start[++_committed] = _count;
    }

    /// <summary>True once every (group, query tile) is committed.</summary>
    public bool IsComplete => Groups > 0 && _committed == Groups * QueryTiles;

    /// <summary>Entries [first, end) of query tile <paramref name="queryTile"/> for batch·head <paramref name="bh"/>.</summary>
    public (int First, int End) EntriesOf(int bh, int queryTile)
    {
        int index = (Groups == 1 ? 0 : bh) * QueryTiles + queryTile;
        return (_start[index], _start[index + 1]);
    }

    public int KeyTileOf(int entry) => _tiles[entry];

    public bool IsWhole(int entry) => _whole[entry];

    /// <summary>Whether the score of query i and key j counts in a banded tile (the causal/padding mask applies on top).</summary>
    public bool Allowed(int i, int j)
    {
        int position = i + (KeyLength - QueryLength);
        return Math.Abs(position - j) < Window || position < GlobalTokens || j < GlobalTokens;
    }

    /// <summary>Throws unless the pattern is complete and was built for <paramref name="shape"/>.</summary>
    public void RequireFits(in AttentionShape shape)
    {
        if (!IsComplete) throw new ArgumentException("The block-sparse pattern is not complete.", "pattern");
        if (QueryLength != shape.QueryLength || KeyLength != shape.KeyLength || (Groups != 1 && Groups != shape.BatchHeads))
            throw new ArgumentException(
                $"The block-sparse pattern was built for Tq={QueryLength}, Tk={KeyLength}, {Groups} group(s); attention has Tq={shape.QueryLength}, Tk={shape.KeyLength}, B·nh={shape.BatchHeads}.",
                "pattern");
    }

    /// <summary>
    /// Scores the block-sparse kernels compute for <paramref name="shape"/>, as a fraction of B·nh·Tq·Tk: every
    /// score of a visited tile that the causal/padding mask and, for banded tiles, <see cref="Allowed"/> let through.
    /// </summary>
    public double ComputedScoreFraction(ReadOnlySpan<int> keyLengths, in AttentionShape shape)
    {
        shape.Validate(keyLengths);
        RequireFits(shape);
        long computed = 0;
        for (int bh = 0; bh < shape.BatchHeads; bh++)
        {
            int keyLength = shape.KeyLengthOf(keyLengths, bh / shape.Heads);
            for (int qt = 0; qt < QueryTiles; qt++)
            {
                var (first, end) = EntriesOf(bh, qt);
                int q0 = qt * TileSize, q1 = Math.Min(q0 + TileSize, shape.QueryLength);
                for (int e = first; e < end; e++)
                {
                    int j0 = _tiles[e] * TileSize;
                    for (int i = q0; i < q1; i++)
                    {
                        int j1 = Math.Min(j0 + TileSize, shape.VisibleKeys(i, keyLength));
                        for (int j = j0; j < j1; j++)
                            if (_whole[e] || Allowed(i, j)) computed++;
                    }
                }
            }
        }
        return computed / ((double)shape.BatchHeads * shape.QueryLength * shape.KeyLength);
    }

    /// <summary>Bytes held by the pattern's buffers.</summary>
    public long Bytes => 4L * (_start.Length + _tiles.Length) + _whole.Length + _marks.Length;

    /// <summary>Visited tiles as a fraction of all (query tile, key tile) pairs of all groups.</summary>
    public double VisitedTileFraction => (double)_count / ((double)Groups * QueryTiles * KeyTiles);
}
