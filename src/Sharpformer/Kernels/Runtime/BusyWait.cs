using System.Diagnostics;

namespace Sharpformer.Kernels;

/// <summary>
/// The wait of one kernel thread for another (a claimed item to finish, a loop to start): spin on the core first,
/// yield only once the wait has gone on. A yield (<c>sched_yield</c>) on a Linux machine that other processes keep
/// busy hands the core to one of them for a whole time slice, milliseconds, while the thread waited for is
/// at most an item's time away (microseconds to a few milliseconds); yielding after 20 rounds, as
/// <see cref="SpinWait"/> does, made the 2-thread products of a small training step slower than one thread, and a
/// yield after 50 µs still cost a quarter of a `shakespeare-cpu` step. A wait that outlasts
/// <see cref="SpinBeforeYield"/> means the other thread has lost its core, and then yielding lets it run.
/// </summary>
internal struct BusyWait
{
    /// <summary>How long a wait spins before it starts to yield (5 ms: longer than the longest item of a kernel).</summary>
    public static readonly long SpinBeforeYield = Stopwatch.Frequency / 200;

    private long _yieldFrom;
    private SpinWait _yielding;

    /// <summary>One round of waiting: a short spin, or after <see cref="SpinBeforeYield"/> a spin that yields now and then.</summary>
    public void Once()
    {
        long now = Stopwatch.GetTimestamp();
        if (_yieldFrom == 0) _yieldFrom = now + SpinBeforeYield;
        if (now < _yieldFrom) Thread.SpinWait(20);
        else _yielding.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary>A short spin that never yields, for a worker whose own wait is bounded (it sleeps afterwards).</summary>
    public static void SpinOnly() => Thread.SpinWait(20);
}
