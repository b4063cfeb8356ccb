using System.Runtime.Intrinsics;
using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

/// <summary>The worker pool behind every parallel kernel loop.</summary>
[Collection(GemmCollection.Name)]
public class GemmParallelismTests
{
    [Fact]
    public void For_RunsEveryIndexExactlyOnce()
    {
        using var _ = GemmCheck.Threads(2);
        for (int round = 0; round < 50; round++)
        {
            int count = 1 + round * 7;
            var hits = new int[count];
            Parallelism.For(count, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void For_PassesAnExceptionFromABodyToTheCaller()
    {
        using var _ = GemmCheck.Threads(2);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            Parallelism.For(16, i => { if (i == 11) throw new InvalidOperationException("item 11"); }));
        Assert.Equal("item 11", ex.Message);
        // The pool still works afterwards.
        int sum = 0;
        Parallelism.For(10, i => Interlocked.Add(ref sum, i));
        Assert.Equal(45, sum);
    }

    [Fact]
    public void For_NestedInsideALoop_RunsInline()
    {
        using var _ = GemmCheck.Threads(2);
        var hits = new int[4 * 5];
        Parallelism.For(4, i => Parallelism.For(5, j => Interlocked.Increment(ref hits[i * 5 + j])));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void FmaPeak_IsWithinWhatOneCoreCanDo()
    {
        // One core issues at most two vector FMAs a cycle (2 flops a lane) at under 6 GHz; a unit slip (ms for s, lanes
        // counted twice) lands far outside. The floor allows a machine shared with other work.
        double lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
        double peak = FmaPeak.Measure(threads: 1, trials: 3, iterationsPerThread: 200_000);
        Assert.InRange(peak, 0.05, 2 * 2 * lanes * 6.0);
    }
}
