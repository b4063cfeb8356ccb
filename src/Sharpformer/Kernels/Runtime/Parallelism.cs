using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Sharpformer.Kernels;

/// <summary>
/// The one place that decides how many threads kernels use. Every parallel loop in the library goes
/// through <see cref="For"/>, so the thread count governs all of them. The count in effect is the
/// innermost <see cref="UseThreads"/> scope of the calling flow (it follows <c>await</c>s and tasks
/// started inside it), else the process default (<see cref="ThreadCount"/>'s setter; all cores unless
/// set). A kernel reads it once, on the calling thread, when it dispatches, so two callers on two
/// threads can each run with their own count at the same time.
/// Loops run on persistent workers (<see cref="WorkerPool"/>), so a dispatch costs about a microsecond
/// rather than a thread start; small loops still run inline on the calling thread. The workers serve
/// one loop at a time: a loop started while another runs goes inline on its caller's thread, so the
/// count is an upper bound, and results never depend on it beyond what each kernel documents.
/// Part of the runtime context described in <see cref="KernelRuntime"/>.
/// </summary>
internal static class Parallelism
{
    private static int _defaultThreads = Environment.ProcessorCount;

    // The count of the innermost scope of this flow; 0 where none is open.
    private static readonly AsyncLocal<int> ScopedThreads = new();

    /// <summary>
    /// Threads kernels use in the calling flow: the innermost <see cref="UseThreads"/> scope's count, or the
    /// process default. Setting it changes the process default (what flows without a scope use), as the
    /// CLI's <c>--threads</c> did; inside a scope the scope's count still applies.
    /// </summary>
    public static int ThreadCount
    {
        get => ScopedThreads.Value is int scoped and > 0 ? scoped : Volatile.Read(ref _defaultThreads);
        set => Volatile.Write(ref _defaultThreads, Checked(value, nameof(value)));
    }

    /// <summary>
    /// Runs kernels of the calling flow on at most <paramref name="threads"/> threads until the scope is
    /// disposed (<c>using (Parallelism.UseThreads(2)) { … }</c>); scopes nest, and disposing one restores
    /// the count that was in effect before it. Other threads and flows are not affected.
    /// </summary>
    public static ThreadScope UseThreads(int threads)
    {
        Checked(threads, nameof(threads));
        int previous = ScopedThreads.Value;
        ScopedThreads.Value = threads;
        return new ThreadScope(previous);
    }

    /// <summary>Restores the thread count in effect before <see cref="UseThreads"/> when disposed.</summary>
    public readonly struct ThreadScope : IDisposable
    {
        private readonly int _previous;

        internal ThreadScope(int previous) => _previous = previous;

        public void Dispose() => ScopedThreads.Value = _previous;
    }

    private static int Checked(int threads, string name) =>
        threads >= 1 ? threads : throw new ArgumentException($"Thread count must be at least 1, got {threads}.", name);

    /// <summary>Below about this many flops a loop stays on the calling thread.</summary>
    public const long MinParallelWork = 200_000;

    /// <summary>
    /// The work of one float that a loop only streams through memory (a copy, an add of two buffers), in the flops
    /// of <see cref="MinParallelWork"/>: its loads and store take about as long as four flops of a vector kernel,
    /// so a residual add of 768 × 128 values is shared out rather than run by one thread while the others wait.
    /// </summary>
    public const long WorkPerStreamedElement = 4;

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [0, count). Runs inline when one thread is
    /// configured, when there is a single item, or when <paramref name="workPerItem"/> × count (in
    /// rough floating-point operations) is too small to pay for a dispatch. Items are handed out one at
    /// a time to whichever thread is free, so an index may run on any thread.
    /// </summary>
    public static void For(int count, Action<int> body, long workPerItem = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(body);
        int threads = ThreadsFor(count, workPerItem, ThreadCount);
        if (threads <= 1 || !WorkerPool.TryRun(threads, count, body, null))
            for (int i = 0; i < count; i++) body(i);
    }

    /// <summary>
    /// As <see cref="For(int, Action{int}, long)"/> for a reusable body object, so hot kernels dispatch
    /// without allocating a closure; at most <paramref name="maxThreads"/> threads take part.
    /// </summary>
    internal static void For(int count, IParallelBody body, long workPerItem, int maxThreads)
    {
        int threads = ThreadsFor(count, workPerItem, Math.Min(maxThreads, ThreadCount));
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
/// Items are claimed one at a time, and the caller waits only for the items that were claimed, never
/// for a worker to turn up: on a busy machine a worker may wake late (or not before the loop is over),
/// and the caller then runs the items itself rather than waiting for it. A late worker cannot take an
/// item of a later loop by mistake: a claim names the loop it belongs to.
/// One loop runs at a time: a second caller, or a loop started from inside a loop, runs inline.
/// </summary>
internal static class WorkerPool
{
    private static readonly Lock Gate = new();
    private static Worker[] _workers = [];
    private static long _generation;

    // The loop being run; written only while no item is running.
    private static Action<int>? _action;
    private static IParallelBody? _body;
    private static int _count;
    private static Exception? _error;

    // The loop's serial number (low 32 bits of its generation) in the high 32 bits, the next unclaimed item in the low 32;
    // int.MaxValue there once the loop is over.
    private static long _claim;
    private static int _completed;

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
            _error = null;
            Volatile.Write(ref _completed, 0);
            long generation = ++_generation;
            // Publishing the claim word opens the loop: everything above is written before it.
            Volatile.Write(ref _claim, generation << 32);
            for (int w = 0; w < helpers; w++) _workers[w].Start(generation);

            t_insideLoop = true;
            try { RunItems(generation); }
            finally { t_insideLoop = false; }

            var wait = new BusyWait();
            while (Volatile.Read(ref _completed) < count) wait.Once();
            // Close the loop before the next one's fields are written: a worker that read this loop's last claim
            // (index = count) and then the next loop's larger count must not be able to claim with it.
            Volatile.Write(ref _claim, generation << 32 | int.MaxValue);
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

    /// <summary>Claims and runs items of loop <paramref name="generation"/> until none is left (or that loop is over).</summary>
    private static void RunItems(long generation)
    {
        long open = generation << 32;
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            if ((claim & ~0xFFFF_FFFFL) != open) return; // a later loop: this one is over
            int i = (int)claim;
            if (i >= _count) return;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;
            try
            {
                if (_action != null) _action(i);
                else _body!.Execute(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            Interlocked.Increment(ref _completed);
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

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"sharpformer-kernel-{index + 1}" };
            // Without the creator's execution context: a worker belongs to no caller's thread scope.
            thread.UnsafeStart();
        }

        public void Start(long generation)
        {
            Volatile.Write(ref _startGeneration, generation);
            _wake.Set();
        }

        private void Loop()
        {
            t_insideLoop = true;
            long seen = 0;
            while (true)
            {
                seen = WaitForWork(seen);
                RunItems(seen);
            }
        }

        private long WaitForWork(long seen)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            // Spinning without yielding (see BusyWait): a yield on a busy machine would give the core away for a
            // time slice just before the next loop arrives. The spin is bounded, so an idle process sleeps.
            while (true)
            {
                long generation = Volatile.Read(ref _startGeneration);
                if (generation != seen) return generation;
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    BusyWait.SpinOnly();
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
