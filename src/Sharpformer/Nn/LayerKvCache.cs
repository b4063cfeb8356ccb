using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// The keys and values one attention layer has computed so far, so that each new token costs O(T)
/// instead of recomputing the whole prefix. Stored as (B, nh, capacity, hs).
/// </summary>
public sealed class LayerKvCache(int batch, int heads, int capacity, int headSize)
{
    private Tensor _keys = new(batch, heads, capacity, headSize);
    private Tensor _values = new(batch, heads, capacity, headSize);
    private Tensor? _spareKeys, _spareValues; // reordering writes here, then the two swap

    public int Length { get; private set; }
    public int Capacity => capacity;

    public void Clear() => Length = 0;

    // k, v: (B, nh, Tnew, hs) appended at position Length.
    public void Append(Tensor k, Tensor v)
    {
        int tNew = k.Dim(2);
        if (Length + tNew > capacity)
            throw new ArgumentException($"KV cache: {Length} cached + {tNew} new positions exceed the capacity of {capacity}.");
        for (int bh = 0; bh < batch * heads; bh++)
        {
            k.Span.Slice(bh * tNew * headSize, tNew * headSize).CopyTo(_keys.Span.Slice((bh * capacity + Length) * headSize));
            v.Span.Slice(bh * tNew * headSize, tNew * headSize).CopyTo(_values.Span.Slice((bh * capacity + Length) * headSize));
        }
        Length += tNew;
    }

    /// <summary>Compact copies (B, nh, Length, hs) of the cached keys and values, as constants on the tape.</summary>
    public (Variable Keys, Variable Values) View(Tape tape)
    {
        var k = tape.Borrow(batch, heads, Length, headSize);
        var v = tape.Borrow(batch, heads, Length, headSize);
        for (int bh = 0; bh < batch * heads; bh++)
        {
            _keys.Span.Slice(bh * capacity * headSize, Length * headSize).CopyTo(k.Span.Slice(bh * Length * headSize));
            _values.Span.Slice(bh * capacity * headSize, Length * headSize).CopyTo(v.Span.Slice(bh * Length * headSize));
        }
        return (Variable.Constant(k, "k_cache"), Variable.Constant(v, "v_cache"));
    }

    /// <summary>
    /// Beam search: row r of the new cache is row <paramref name="parents"/>[r] of the old one (rows are batch
    /// entries, each holding all heads), so surviving hypotheses keep their history.
    /// </summary>
    public void Reorder(ReadOnlySpan<int> parents)
    {
        if (parents.Length != batch) throw new ArgumentException($"KV cache: {parents.Length} parents for {batch} rows.");
        _spareKeys ??= new Tensor(_keys.Shape);
        _spareValues ??= new Tensor(_values.Shape);
        int rowSize = heads * capacity * headSize, used = Length * headSize;
        for (int r = 0; r < batch; r++)
        for (int h = 0; h < heads; h++)
        {
            int from = parents[r] * rowSize + h * capacity * headSize, to = r * rowSize + h * capacity * headSize;
            _keys.Span.Slice(from, used).CopyTo(_spareKeys.Span.Slice(to, used));
            _values.Span.Slice(from, used).CopyTo(_spareValues.Span.Slice(to, used));
        }
        (_keys, _spareKeys) = (_spareKeys, _keys);
        (_values, _spareValues) = (_spareValues, _values);
    }
}
