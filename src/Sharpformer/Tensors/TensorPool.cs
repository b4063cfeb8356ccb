namespace Sharpformer.Tensors;

/// <summary>
/// Recycles float buffers. A training step asks for about the same sizes every time, so after the first steps
/// every intermediate comes from here and a step allocates no large arrays (which would land on the
/// large-object heap and cost gen-2 collections).
/// <para>
/// Shapes that change from step to step (translation batches of varying length, a growing KV cache) would leave
/// a buffer behind for every size they pass through, so three rules keep what the pool holds near what one step
/// uses: sizes are rounded up to size classes (at most 1/8 larger); a request takes the smallest idle buffer that
/// fits, up to twice its size class, so buffers sized for the largest batch serve every smaller one; and
/// <see cref="EndStep"/>, called between training steps, lets go every <see cref="StepsPerTrim"/> steps of the
/// buffers that sat idle through all of them (<see cref="Trim"/>). The pool never holds more than
/// <see cref="MaxPooledBytes"/> idle; beyond that a returned buffer is left to the garbage collector.
/// </para>
/// <para>
/// A buffer let go is garbage on the large-object heap, which the runtime collects only in a full collection; its
/// budget for such garbage grows with the live heap, so a run that keeps letting buffers go could hold gigabytes of
/// them. Once <see cref="CollectAfterBytes"/> have been let go since the last time, the pool asks for a full
/// collection, which costs milliseconds: the large buffers hold no references to trace.
/// </para>
/// </summary>
internal static class TensorPool
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, IdleBuffers> Idle = [];
    private static readonly List<int> Capacities = []; // the keys of Idle, ascending, for the best-fit search
    private static long _pooledBytes, _droppedBytes;
    private static int _steps;

    /// <summary>Steps between two trims in <see cref="EndStep"/>.</summary>
    public const int StepsPerTrim = 16;

    /// <summary>Bytes let go (trimmed or over the limit) after which the pool asks for a full garbage collection.</summary>
    public static long CollectAfterBytes { get; set; } = 256L << 20;

    /// <summary>Upper bound on the bytes held by idle buffers.</summary>
    public static long MaxPooledBytes { get; set; } = 4L << 30;

    /// <summary>Bytes currently held by idle buffers.</summary>
    public static long PooledBytes => Interlocked.Read(ref _pooledBytes);

    /// <summary>A tensor whose contents are undefined (not zeroed).</summary>
    public static Tensor Rent(params int[] shape)
    {
        int capacity = SizeClass(ShapeOf.Size(shape));
        var data = TakeIdle(capacity) ?? GC.AllocateUninitializedArray<float>(capacity);
        return new Tensor(shape, data, pooled: true);
    }

    /// <summary>A tensor filled with zeros.</summary>
    public static Tensor RentZeroed(params int[] shape)
    {
        var t = Rent(shape);
        t.Span.Clear();
        return t;
    }

    /// <summary>Gives a pooled tensor's buffer back; the tensor (and any reshaped view of it) must not be used afterwards.</summary>
    public static void Return(Tensor tensor)
    {
        if (tensor.Pooled && !Keep(tensor.Data)) CollectIfMuchDropped();
    }

    /// <summary>Adds an idle buffer, or counts it as let go when the pool is full.</summary>
    private static bool Keep(float[] data)
    {
        lock (Gate)
        {
            if (_pooledBytes + 4L * data.Length > MaxPooledBytes)
            {
                _droppedBytes += 4L * data.Length;
                return false;
            }
            if (!Idle.TryGetValue(data.Length, out var idle))
            {
                idle = new IdleBuffers();
                Idle.Add(data.Length, idle);
                Capacities.Insert(~Capacities.BinarySearch(data.Length), data.Length);
            }
            idle.Buffers.Push(data);
            Interlocked.Add(ref _pooledBytes, 4L * data.Length);
            return true;
        }
    }

    /// <summary>Ends a training step: every <see cref="StepsPerTrim"/>-th call trims the pool (<see cref="Trim"/>).</summary>
    public static void EndStep()
    {
        if (Interlocked.Increment(ref _steps) % StepsPerTrim == 0) Trim();
    }

    /// <summary>
    /// Lets go of the idle buffers that no <see cref="Rent"/> needed since the last trim (of each size, as many as
    /// stayed idle all along) and returns their bytes: what is left is what the steps since the last trim used.
    /// </summary>
    public static long Trim()
    {
        long dropped = 0;
        lock (Gate)
        {
            foreach (var idle in Idle.Values)
            {
                for (int i = Math.Min(idle.LowWater, idle.Buffers.Count); i > 0; i--)
                    dropped += 4L * idle.Buffers.Pop().Length;
                idle.LowWater = idle.Buffers.Count;
            }
            Interlocked.Add(ref _pooledBytes, -dropped);
            _droppedBytes += dropped;
        }
        CollectIfMuchDropped();
        return dropped;
    }

    private static void CollectIfMuchDropped()
    {
        lock (Gate)
        {
            if (_droppedBytes < CollectAfterBytes) return;
            _droppedBytes = 0;
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    /// <summary>
    /// Drops every idle buffer and starts a new trim window, for example between differently sized workloads
    /// (training steps and an evaluation), so that the one does not hold the other's buffers while it runs.
    /// </summary>
    public static void Clear()
    {
        lock (Gate)
        {
            Idle.Clear();
            Capacities.Clear();
            _droppedBytes += Interlocked.Exchange(ref _pooledBytes, 0);
            _steps = 0;
        }
        CollectIfMuchDropped();
    }

    /// <summary>The smallest idle buffer of at least <paramref name="capacity"/> floats and at most twice that, or null.</summary>
    private static float[]? TakeIdle(int capacity)
    {
        lock (Gate)
        {
            int i = Capacities.BinarySearch(capacity);
            for (i = i < 0 ? ~i : i; i < Capacities.Count && Capacities[i] / 2 <= capacity; i++)
            {
                var idle = Idle[Capacities[i]];
                if (!idle.Buffers.TryPop(out var data)) continue;
                idle.LowWater = Math.Min(idle.LowWater, idle.Buffers.Count);
                Interlocked.Add(ref _pooledBytes, -4L * data.Length);
                return data;
            }
        }
        return null;
    }

    /// <summary>The buffer length used for <paramref name="size"/> elements: a multiple of 64, then steps of 1/8 of the power of two below.</summary>
    internal static int SizeClass(int size)
    {
        if (size <= 4096) return Math.Max(64, (size + 63) & ~63);
        int step = (int)(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)size + 1) >> 4);
        long rounded = ((long)size + step - 1) / step * step;
        return (int)Math.Min(rounded, Array.MaxLength);
    }

    /// <summary>The idle buffers of one size and the fewest of them idle at once since the last <see cref="Trim"/>.</summary>
    private sealed class IdleBuffers
    {
        public readonly Stack<float[]> Buffers = new();
        public int LowWater;
    }
}
