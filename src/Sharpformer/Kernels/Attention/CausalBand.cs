namespace Sharpformer.Kernels;

/// <summary>Which dimension of a tile product a causal mask shortens.</summary>
internal enum CausalSkip
{
    /// <summary>No mask: every block of rows runs the whole product.</summary>
    None,

    /// <summary>C's rows are queries, its columns keys (S = Q·Kᵀ, dP = dO·Vᵀ): a block of rows stops at the 16-column
    /// tile that holds its last visible key; columns past it are left unwritten, and a block that sees no key writes nothing.</summary>
    KeyColumns,

    /// <summary>C's rows are queries, the depth runs over keys (O = P·V, dQ = dS·K): a block of rows sums only the
    /// keys its last row sees, since P and dS are 0 past each row's visible keys.</summary>
    KeyDepth,

    /// <summary>C's rows are keys, the depth runs over queries (dK = dSᵀ·Q, dV = Pᵀ·dO): a block of keys sums only
    /// from the first query that sees its first key.</summary>
    QueryDepth,
}

/// <summary>
/// A causal mask as the tile products see it: query row i of the product (whether it indexes C's rows or the
/// depth) sees keys 0 … <see cref="Diagonal"/> + i of the product's own key range. Diagonal is the last key query 0
/// sees; it may be negative (query 0 sees none of these keys) or past the range (it sees them all).
/// </summary>
internal readonly record struct CausalBand(CausalSkip Skip, int Diagonal)
{
    /// <summary>The band of a causal product; <see cref="CausalSkip.None"/> when <paramref name="causal"/> is false.</summary>
    public static CausalBand For(bool causal, CausalSkip skip, int diagonal) => causal ? new(skip, diagonal) : default;

    /// <summary>
    /// The columns [0, Cols) and the depth [First, First + Depth) that rows [r, r + n) of a product of
    /// <paramref name="cols"/> columns and <paramref name="depth"/> need.
    /// </summary>
    public (int Cols, int First, int Depth) Block(int r, int n, int cols, int depth)
    {
        // Keys the block's last row sees: Diagonal + (r + n − 1) + 1.
        long seen = (long)Diagonal + r + n;
        switch (Skip)
        {
            case CausalSkip.KeyColumns:
                return ((int)Math.Clamp((seen + AttentionTileGemm.Lanes - 1) / AttentionTileGemm.Lanes * AttentionTileGemm.Lanes, 0, cols), 0, depth);
            case CausalSkip.KeyDepth:
                return (cols, 0, (int)Math.Clamp(seen, 0, depth));
            case CausalSkip.QueryDepth:
                // Key row r is first seen by query r − Diagonal.
                int first = (int)Math.Clamp((long)r - Diagonal, 0, depth);
                return (cols, first, depth - first);
            default:
                return (cols, 0, depth);
        }
    }
}
