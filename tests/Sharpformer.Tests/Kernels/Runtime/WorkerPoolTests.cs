using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

/// <summary>
/// Loops on the persistent workers: each item runs exactly once, whichever threads turn up and however late,
/// and a worker that wakes after its loop is over takes nothing of the next one.
/// </summary>
public class WorkerPoolTests
{
    [Fact]
    public void BackToBackLoops_RunEveryItemExactlyOnce()
    {
        var random = new Random(7);
        using (Parallelism.UseThreads(4))
            for (int loop = 0; loop < 3_000; loop++)
            {
                int count = random.Next(1, 40);
                int spin = random.Next(0, 3) * 200; // some loops end before a sleeping worker can wake
                var runs = new int[count];
                Parallelism.For(count, i =>
                {
                    Interlocked.Increment(ref runs[i]);
                    if (spin > 0) Thread.SpinWait(spin);
                }, workPerItem: 1_000_000);
                for (int i = 0; i < count; i++)
                    Assert.True(runs[i] == 1, $"loop {loop}: item {i} of {count} ran {runs[i]} times");
            }
    }

    [Fact]
    public void AnItemsException_ReachesTheCaller_AndTheNextLoopRuns()
    {
        using (Parallelism.UseThreads(2))
        {
            var error = Assert.Throws<InvalidOperationException>(() => Parallelism.For(16, i =>
            {
                if (i == 5) throw new InvalidOperationException("item 5");
            }, workPerItem: 1_000_000));
            Assert.Equal("item 5", error.Message);

            int sum = 0;
            Parallelism.For(16, i => Interlocked.Add(ref sum, i), workPerItem: 1_000_000);
            Assert.Equal(120, sum);
        }
    }
}
