using Sharpformer.Tensors;

namespace Sharpformer.Tests.Tensors;

/// <summary>How the pool serves shapes that change from step to step; it is process-wide, so these run alone.</summary>
[Collection(nameof(TensorTests))]
public class TensorPoolTests
{
    [Fact]
    public void ARequestTakesTheSmallestIdleBufferUpToTwiceItsSize()
    {
        TensorPool.Clear();
        var large = TensorPool.Rent(2700);   // class 2752
        var medium = TensorPool.Rent(1500);  // class 1536
        var huge = TensorPool.Rent(9000);    // class 9216
        TensorPool.Return(large);
        TensorPool.Return(medium);
        TensorPool.Return(huge);
        Assert.Same(medium.Data, TensorPool.Rent(1400).Data); // the smallest that fits
        Assert.Same(large.Data, TensorPool.Rent(1400).Data);  // 2752 ≤ 2 · 1408
        Assert.NotSame(huge.Data, TensorPool.Rent(1400).Data); // 9216 is more than twice 1408: a new buffer
        Assert.Equal(4L * huge.Data.Length, TensorPool.PooledBytes);
        TensorPool.Clear();
    }

    [Fact]
    public void TrimLetsGoOfWhatNoRequestNeededSinceTheLastTrim()
    {
        TensorPool.Clear();
        var used = TensorPool.Rent(5000);
        var idle = TensorPool.Rent(20_000);
        TensorPool.Return(used);
        TensorPool.Return(idle);
        Assert.Equal(0, TensorPool.Trim()); // both were handed out since the pool began
        TensorPool.Return(TensorPool.Rent(5000));
        Assert.Equal(4L * idle.Data.Length, TensorPool.Trim());
        Assert.Equal(4L * used.Data.Length, TensorPool.PooledBytes);
        Assert.Same(used.Data, TensorPool.Rent(5000).Data);
        TensorPool.Clear();
    }

    [Fact]
    public void VaryingBatchShapesLeaveThePoolHoldingAboutOneStep()
    {
        // Steps shaped like translation batches under a budget of 1,024 padded tokens: length T from 3 to 48,
        // B = 1024 / T sentences; per step 12 activations (B, T, 64), 3 (B, T, 256), logits (B, T, 500) and
        // 4 attention maps (B·4, T, T), all held at once as a tape holds them, then returned. Clear starts the
        // trim window here.
        TensorPool.Clear();
        var rng = new Rng(14);
        long largestStep = 0;
        var mostPerClass = new Dictionary<int, int>(); // what a pool keeping a buffer for every size would hold
        for (int step = 0; step < 4 * TensorPool.StepsPerTrim; step++)
        {
            int t = 3 + rng.NextInt(46), b = 1024 / t;
            var shapes = new List<int[]>();
            for (int i = 0; i < 12; i++) shapes.Add([b, t, 64]);
            for (int i = 0; i < 3; i++) shapes.Add([b, t, 256]);
            shapes.Add([b, t, 500]);
            for (int i = 0; i < 4; i++) shapes.Add([b * 4, t, t]);
            var rented = shapes.Select(s => TensorPool.Rent(s)).ToList();
            largestStep = Math.Max(largestStep, rented.Sum(r => 4L * TensorPool.SizeClass(r.Size)));
            foreach (var g in rented.GroupBy(r => TensorPool.SizeClass(r.Size)))
                mostPerClass[g.Key] = Math.Max(mostPerClass.GetValueOrDefault(g.Key), g.Count());
            foreach (var r in rented) TensorPool.Return(r);
            TensorPool.EndStep();
            // After each trim the pool holds what the steps since the one before needed, at most twice the largest step.
            if ((step + 1) % TensorPool.StepsPerTrim == 0)
                Assert.True(TensorPool.PooledBytes <= 2 * largestStep,
                    $"after step {step + 1} the pool holds {TensorPool.PooledBytes:N0} bytes; the largest step needs {largestStep:N0}");
        }
        long everySize = mostPerClass.Sum(kv => 4L * kv.Key * kv.Value);
        Assert.True(everySize > 3 * largestStep, $"a buffer for every size would hold only {everySize:N0} bytes: the shapes did not vary");
        TensorPool.Clear();
    }

    [Fact]
    public void NoBufferIsHandedOutTwice()
    {
        TensorPool.Clear();
        // Four threads rent and return buffers of mixed sizes; every buffer held at one time is distinct.
        var held = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        var gate = new object();
        Parallel.For(0, 4, worker =>
        {
            var rng = new Rng((ulong)worker + 1);
            var mine = new List<Tensor>();
            for (int i = 0; i < 2000; i++)
            {
                if (mine.Count > 0 && rng.NextInt(3) == 0)
                {
                    var back = mine[rng.NextInt(mine.Count)];
                    mine.Remove(back);
                    lock (gate) Assert.True(held.Remove(back.Data));
                    TensorPool.Return(back);
                    continue;
                }
                var t = TensorPool.Rent(1 + rng.NextInt(20_000));
                lock (gate) Assert.True(held.Add(t.Data), "a buffer already held was handed out again");
                mine.Add(t);
            }
            foreach (var t in mine)
            {
                lock (gate) held.Remove(t.Data);
                TensorPool.Return(t);
            }
        });
        TensorPool.Clear();
    }
}
