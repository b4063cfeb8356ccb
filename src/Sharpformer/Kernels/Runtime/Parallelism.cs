using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Sharpformer.Kernels;

/// <summary>
/// The one place that decides how many threads kernels use. Every parallel loop in the library goes
/// through <see cref="For"/>, so <c>--threads</c> (or <see cref="ThreadCount"/>) governs all of them.
/// Loops run on persistent workers (<see cref="WorkerPool"/>), so a dispatch costs about a microsecond
/// rather than a thread start; small loops still run inline on the calling thread.
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

    /// <summary>Below about this many flops a loop stays on the calling thread.</summary>
    public const long MinParallelWork = 200_000;

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [0, count). Runs inline when one thread is
    /// configured, when there is a single item, or when <paramref name="workPerItem"/> × count (in
    /// rough floating-point operations) is too small to pay for a dispatch. Items are handed out one at
    /// a time to whichever thread is free, so an index may run on any thread.
    /// </summary>
    public static void For(int count, Action<int> body, long workPerItem = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(body);
        int threads = ThreadsFor(count, workPerItem, _threadCount);
        if (threads <= 1 || !WorkerPool.TryRun(threads, count, body, null))
            for (int i = 0; i < count; i++) body(i);
    }

    /// <summary>
    /// As <see cref="For(int, Action{int}, long)"/> for a reusable body object, so hot kernels dispatch
    /// without allocating a closure; at most <paramref name="maxThreads"/> threads take part.
    /// </summary>
    internal static void For(int count, IParallelBody body, long workPerItem, int maxThreads)
    {
        int threads = ThreadsFor(count, workPerItem, Math.Min(maxThreads, _threadCount));
        if (threads <= 1 || !WorkerPool.TryRun(threads, count, null, body))
            for (int i = 0; i < count; i++) body.Execute(i);
    }

    /// <summary>True on a thread that is running items of a parallel loop (nested loops run inline).</summary>
    internal static bool InsideParallelLoop => WorkerPool.InsideLoop;

    private static int ThreadsFor(int count, long workPerItem, int maxThreads)
    {
        int threads = Math.Min(maxThreads, count);
        if (threads <= 1) return 1;
        if (workPerItem != long.MaxValue && workPerItem * count < MinParallelWork) return 1;
        return threads;
    }
}

/// <summary>A loop body that is an object rather than a closure: set its fields, then dispatch it.</summary>
internal interface IParallelBody
{
    void Execute(int index);
}

/// <summary>
/// Persistent background threads that run the items of one parallel loop at a time together with the
/// calling thread. Workers spin briefly after a loop (the next kernel usually follows within
/// microseconds) and then sleep on an event, so an idle process costs no CPU.
/// One loop runs at a time: a second caller, or a loop started from inside a loop, runs inline.
/// </summary>
internal static class WorkerPool
{
    private static readonly Lock Gate = new();
    private static Worker[] _workers = [];
    private static long _generation;

    // The loop being run; written only while no worker is inside a loop.
    private static Action<int>? _action;
    private static IParallelBody? _body;
    private static int _count;
    private static int _next;
    private static Exception? _error;

    [ThreadStatic] private static bool t_insideLoop;

    public static bool InsideLoop => t_insideLoop;

    /// <summary>Runs items [0, count) on <paramref name="threads"/> threads; false when the pool is busy.</summary>
    public static bool TryRun(int threads, int count, Action<int>? action, IParallelBody? body)
    {
        if (t_insideLoop || !Gate.TryEnter()) return false;
        try
        {
            int helpers = threads - 1;
            EnsureWorkers(helpers);
            _action = action;
            _body = body;
            _count = count;
            _next = 0;
            _error = null;
            long generation = ++_generation;
            for (int w = 0; w < helpers; w++) _workers[w].Start(generation);

            t_insideLoop = true;
            try { RunItems(); }
            finally { t_insideLoop = false; }

            for (int w = 0; w < helpers; w++) _workers[w].WaitUntilDone(generation);
            _action = null;
            _body = null;
            if (_error is { } error)
            {
                _error = null;
                ExceptionDispatchInfo.Throw(error);
            }
            return true;
        }
        finally
        {
            Gate.Exit();
        }
    }

    private static void RunItems()
    {
        while (true)
        {
            int i = Interlocked.Increment(ref _next) - 1;
            if (i >= _count) return;
            try
            {
                if (_action != null) _action(i);
                else _body!.Execute(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }
    }

    private static void EnsureWorkers(int helpers)
    {
        if (_workers.Length >= helpers) return;
        var grown = new Worker[helpers];
        Array.Copy(_workers, grown, _workers.Length);
        for (int w = _workers.Length; w < helpers; w++) grown[w] = new Worker(w);
        _workers = grown;
    }

    private sealed class Worker
    {
        // How long an idle worker spins before it sleeps: longer than the gap between two kernels of
        // one training step, short enough not to steal a core from other processes for long.
        private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

        private readonly ManualResetEventSlim _wake = new(false);
        private long _startGeneration;
        private long _doneGeneration;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"sharpformer-kernel-{index + 1}" };
            thread.Start();
        }

        public void Start(long generation)
        {
            Volatile.Write(ref _startGeneration, generation);
            _wake.Set();
        }

        public void WaitUntilDone(long generation)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _doneGeneration) != generation) spin.SpinOnce(sleep1Threshold: -1);
        }

        private void Loop()
        {
            t_insideLoop = true;
            long seen = 0;
            while (true)
            {
                long generation = WaitForWork(seen);
                seen = generation;
                RunItems();
                Volatile.Write(ref _doneGeneration, generation);
            }
        }

        private long WaitForWork(long seen)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            // SpinWait yields the core now and then, so a spinning worker does not hold back the
            // thread it waits for when both share one core of a busy machine.
            var spin = new SpinWait();
            while (true)
            {
                long generation = Volatile.Read(ref _startGeneration);
                if (generation != seen) return generation;
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                _wake.Reset();
                generation = Volatile.Read(ref _startGeneration);
                if (generation != seen) return generation;
                _wake.Wait();
            }
        }
    }
}
