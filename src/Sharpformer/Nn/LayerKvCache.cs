using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// The keys and values one attention layer has computed so far, so that each new token costs O(T)
/// instead of recomputing the whole prefix. Stored as (B, nh, capacity, hs). For a variant that chooses
/// keys from past queries (<see cref="Attention.IAttentionVariant.ChoosesFromPastQueries"/>) it keeps the
/// queries as well. The stores come from <see cref="TensorPool"/> (only the cached positions are ever read);
/// <see cref="Release"/> gives them back once a search is done. Keys (and kept queries) are
/// <paramref name="keyWidth"/> wide: hs (the default), or C for merged query–key attention, whose keys are the
/// layer's input.
/// </summary>
internal sealed class LayerKvCache(int batch, int heads, int capacity, int headSize, int? keyWidth = null)
{
    private readonly int _keyWidth = keyWidth ?? headSize;
    private Tensor _keys = TensorPool.Rent(batch, heads, capacity, keyWidth ?? headSize);
    private Tensor _values = TensorPool.Rent(batch, heads, capacity, headSize);
    private Tensor? _queries;                               // allocated when the first queries arrive
    private Tensor? _spareKeys, _spareValues, _spareQueries; // reordering writes here, then the pairs swap
    private bool _released;

    public int Length { get; private set; }
    public int Capacity => capacity;

    public void Clear() => Length = 0;

    /// <summary>Gives the stores back to the pool (once, however often it is called); the cache must not be used afterwards.</summary>
    public void Release()
    {
        if (_released) return;
        _released = true;
        foreach (var store in new[] { _keys, _values, _queries, _spareKeys, _spareValues, _spareQueries })
            if (store != null) TensorPool.Return(store);
        Length = 0;
    }

    /// <summary>True when the cache holds the queries of every cached position.</summary>
    public bool KeepsQueries => _queries != null;

    // k, v and (when kept) q: (B, nh, Tnew, hs) appended at position Length. Queries are kept from the first
    // position on or never, so that every cached position has one.
    public void Append(Tensor k, Tensor v, Tensor? q = null)
    {
        int tNew = k.Dim(2);
        if (Length + tNew > capacity)
            throw new ArgumentException($"KV cache: {Length} cached + {tNew} new positions exceed the capacity of {capacity}.");
        if (q != null && _queries == null && Length > 0)
            throw new ArgumentException($"KV cache: queries arrive at position {Length}, but the positions before it were cached without theirs.");
        if (q == null && _queries != null)
            throw new ArgumentException("KV cache: this cache keeps queries, and the new positions come without theirs.");
        if (q != null) _queries ??= TensorPool.Rent(batch, heads, capacity, _keyWidth);
        CopyIn(k, _keys, tNew, _keyWidth);
        CopyIn(v, _values, tNew, headSize);
        if (q != null) CopyIn(q, _queries!, tNew, _keyWidth);
        Length += tNew;
    }

    // (B, nh, Tnew, width) -> rows [Length, Length + Tnew) of the (B, nh, capacity, width) store
    private void CopyIn(Tensor source, Tensor store, int tNew, int width)
    {
        for (int bh = 0; bh < batch * heads; bh++)
            source.Span.Slice(bh * tNew * width, tNew * width).CopyTo(store.Span.Slice((bh * capacity + Length) * width));
    }

    /// <summary>Compact copies (B, nh, Length, hs) of the cached keys and values, as constants on the tape.</summary>
    public (Variable Keys, Variable Values) View(Tape tape) =>
        (Variable.Constant(CopyOut(tape, _keys, _keyWidth), "k_cache"), Variable.Constant(CopyOut(tape, _values, headSize), "v_cache"));

    /// <summary>A compact copy (B, nh, Length, hs) of the cached queries, as a constant on the tape.</summary>
    public Variable ViewQueries(Tape tape) =>
        Variable.Constant(CopyOut(tape, _queries ?? throw new InvalidOperationException("KV cache: no queries were kept."), _keyWidth), "q_cache");

    private Tensor CopyOut(Tape tape, Tensor store, int width)
    {
        var compact = tape.Borrow(batch, heads, Length, width);
        for (int bh = 0; bh < batch * heads; bh++)
            store.Span.Slice(bh * capacity * width, Length * width).CopyTo(compact.Span.Slice(bh * Length * width));
        return compact;
    }

    /// <summary>
    /// Beam search: row r of the new cache is row <paramref name="parents"/>[r] of the old one (rows are batch
    /// entries, each holding all heads), so surviving hypotheses keep their history.
    /// </summary>
    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length != batch) throw new ArgumentException($"KV cache: {parents.Length} parents for {batch} rows.");
        Gather(parents, ref _keys, ref _spareKeys, _keyWidth);
        Gather(parents, ref _values, ref _spareValues, headSize);
        if (_queries != null) Gather(parents, ref _queries, ref _spareQueries, _keyWidth);
    }

    // store's row r becomes its row parents[r] (every head, the cached positions), by way of spare.
    private void Gather(ReadOnlySpan<int> parents, ref Tensor store, ref Tensor? spare, int width)
    {
        spare ??= TensorPool.Rent(store.Shape);
        int rowSize = heads * capacity * width, used = Length * width;
        for (int r = 0; r < batch; r++)
        for (int h = 0; h < heads; h++)
        {
            int from = parents[r] * rowSize + h * capacity * width, to = r * rowSize + h * capacity * width;
            store.Span.Slice(from, used).CopyTo(spare.Span.Slice(to, used));
        }
        (store, spare) = (spare, store);
    }
}
