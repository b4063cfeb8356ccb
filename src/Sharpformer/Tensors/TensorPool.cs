using System.Collections.Concurrent;

namespace Sharpformer.Tensors;

/// <summary>
/// Recycles float buffers. A training step asks for the same sizes every time, so after the first step
/// every intermediate comes from here and the step allocates no large arrays (which would land on the
/// large-object heap and cost gen-2 collections). Sizes are rounded up to size classes (at most 1/8
/// larger) so that shapes that change a little — a growing KV cache, translation batches of varying
/// length — reuse buffers too, and the pool keeps at most <see cref="MaxPooledBytes"/>; beyond that a
/// returned buffer is left to the garbage collector.
/// </summary>
internal static class TensorPool
{
    private static readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> Free = new();
    private static long _pooledBytes;

    /// <summary>Upper bound on the bytes held by idle buffers.</summary>
    public static long MaxPooledBytes { get; set; } = 4L << 30;

    /// <summary>Bytes currently held by idle buffers.</summary>
    public static long PooledBytes => Interlocked.Read(ref _pooledBytes);

    /// <summary>A tensor whose contents are undefined (not zeroed).</summary>
    public static Tensor Rent(params int[] shape)
    {
        int capacity = SizeClass(ShapeOf.Size(shape));
        if (Free.TryGetValue(capacity, out var bag) && bag.TryTake(out var data))
            Interlocked.Add(ref _pooledBytes, -4L * data.Length);
        else data = GC.AllocateUninitializedArray<float>(capacity);
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
        long bytes = 4L * tensor.Data.Length;
        if (Interlocked.Add(ref _pooledBytes, bytes) > MaxPooledBytes)
        {
            Interlocked.Add(ref _pooledBytes, -bytes);
            return;
        }
        Free.GetOrAdd(tensor.Data.Length, static _ => new ConcurrentBag<float[]>()).Add(tensor.Data);
    }

    /// <summary>Drops every cached buffer (for example between differently sized workloads).</summary>
    public static void Clear()
    {
        Free.Clear();
        Interlocked.Exchange(ref _pooledBytes, 0);
    }

    /// <summary>The buffer length used for <paramref name="size"/> elements: a multiple of 64, then steps of 1/8 of the power of two below.</summary>
    internal static int SizeClass(int size)
    {
        if (size <= 4096) return Math.Max(64, (size + 63) & ~63);
        int step = (int)(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)size + 1) >> 4);
        long rounded = ((long)size + step - 1) / step * step;
        return (int)Math.Min(rounded, Array.MaxLength);
    }
}
