using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

/// <summary>The thread count is scoped to the calling flow, so tests running side by side keep their own.</summary>
public class ParallelismScopeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void TwoScopesOnTwoThreads_EachSeeTheirOwnCount()
    {
        using var barrier = new Barrier(2);
        var seen = new int[2];
        var callerOnly = new bool[2];
        void Body(int index, int threads)
        {
            using (Parallelism.UseThreads(threads))
            {
                Assert.True(barrier.SignalAndWait(Patience)); // both scopes are open
                seen[index] = Parallelism.ThreadCount;
                // A loop big enough to go parallel stays on the caller's thread in a 1-thread scope.
                int caller = Environment.CurrentManagedThreadId;
                bool allOnCaller = true;
                Parallelism.For(64, _ =>
                {
                    if (Environment.CurrentManagedThreadId != caller) allOnCaller = false;
                    Thread.SpinWait(2_000);
                }, workPerItem: 1_000_000);
                callerOnly[index] = allOnCaller;
                Assert.True(barrier.SignalAndWait(Patience)); // both have looked before either scope closes
            }
        }
        OnThreads(() => Body(0, 1), () => Body(1, 3));
        Assert.Equal([1, 3], seen);
        Assert.True(callerOnly[0], "a loop in a 1-thread scope ran items on another thread");
    }

    [Fact]
    public async Task ScopesNest_FlowIntoTasks_AndRestoreOnDispose()
    {
        int outside = Parallelism.ThreadCount;
        using (Parallelism.UseThreads(2))
        {
            Assert.Equal(2, Parallelism.ThreadCount);
            using (Parallelism.UseThreads(1))
            {
                Assert.Equal(1, Parallelism.ThreadCount);
                Assert.Equal(1, await Task.Run(() => Parallelism.ThreadCount, TestContext.Current.CancellationToken));
                Assert.Equal(1, Parallelism.ThreadCount);
            }
            Assert.Equal(2, Parallelism.ThreadCount);
        }
        Assert.Equal(outside, Parallelism.ThreadCount);
    }

    /// <summary>Runs each action on a thread of its own, all at once; rethrows the first failure.</summary>
    private static void OnThreads(params Action[] actions)
    {
        var errors = new Exception?[actions.Length];
        var threads = actions.Select((action, i) => new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { errors[i] = e; }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) Assert.True(thread.Join(Patience), "a thread of the test did not finish");
        if (errors.FirstOrDefault(e => e != null) is { } error) throw error;
    }

    [Fact]
    public void RejectsCountsBelowOne()
    {
        var e = Assert.Throws<ArgumentException>(() => Parallelism.UseThreads(0));
        Assert.Equal("threads", e.ParamName);
        Assert.Contains("at least 1", e.Message);
    }
}
