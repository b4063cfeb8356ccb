using System.Collections.Concurrent;

namespace Sharpformer.Tensors;

/// <summary>
/// Recycles float buffers by exact length. A training step asks for the same sizes every time, so after
/// the first step every intermediate comes from here and the step allocates no large arrays (which
/// would land on the large-object heap and cost gen-2 collections).
/// </summary>
public static class TensorPool
{
    private static readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> Free = new();

    /// <summary>A tensor whose contents are undefined (not zeroed).</summary>
    public static Tensor Rent(params int[] shape)
    {
        int size = ShapeOf.Size(shape);
        var bag = Free.GetOrAdd(size, static _ => new ConcurrentBag<float[]>());
        if (!bag.TryTake(out var data)) data = GC.AllocateUninitializedArray<float>(size);
        return new Tensor(shape, data, pooled: true);
    }

    /// <summary>A tensor filled with zeros.</summary>
    public static Tensor RentZeroed(params int[] shape)
    {
        var t = Rent(shape);
        t.Span.Clear();
        return t;
    }

    /// <summary>Gives a pooled tensor's buffer back; the tensor must not be used afterwards.</summary>
    public static void Return(Tensor tensor)
    {
        if (!tensor.Pooled) return;
        Free.GetOrAdd(tensor.Data.Length, static _ => new ConcurrentBag<float[]>()).Add(tensor.Data);
    }

    /// <summary>Drops every cached buffer (for example between differently sized workloads).</summary>
    public static void Clear() => Free.Clear();
}
