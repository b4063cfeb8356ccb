namespace Sharpformer.Kernels;

/// <summary>
/// The one place that decides how many threads kernels use. Every parallel loop in the library goes
/// through <see cref="For"/>, so <c>--threads</c> (or <see cref="ThreadCount"/>) governs all of them.
/// Small loops run inline: a dispatch costs microseconds, more than a small op takes on one core.
/// </summary>
public static class Parallelism
{
    private static int _threadCount = Environment.ProcessorCount;

    /// <summary>Threads used by kernels; defaults to all cores.</summary>
    public static int ThreadCount
    {
        get => _threadCount;
        set
        {
            if (value < 1) throw new ArgumentException($"Thread count must be at least 1, got {value}.", nameof(value));
            _threadCount = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [0, count). Runs inline when one thread is
    /// configured, when there is a single item, or when <paramref name="workPerItem"/> × count (in
    /// rough floating-point operations) is too small to pay for a dispatch.
    /// </summary>
    public static void For(int count, Action<int> body, long workPerItem = long.MaxValue)
    {
        int threads = Math.Min(_threadCount, count);
        if (threads <= 1 || (workPerItem != long.MaxValue && workPerItem * count < MinParallelWork))
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>Below about this many flops a loop stays on the calling thread.</summary>
    public const long MinParallelWork = 200_000;
}
