using Sharpformer.Data;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Data;

public class LengthBucketBatcherTests
{
    private static List<(int Source, int Target)> RandomLengths(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var lengths = new List<(int, int)>(count);
        for (int i = 0; i < count; i++) { int s = 1 + rng.NextInt(40); lengths.Add((s, Math.Max(1, s + rng.NextInt(9) - 4))); }
        return lengths;
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(3, 64)]
    [InlineData(17, 100)]
    [InlineData(257, 256)]
    [InlineData(1000, 500)]
    public void EveryIndexOnceAndEveryBatchWithinBudget(int count, int budget)
    {
        var lengths = RandomLengths(count, 7);
        var batches = LengthBucketBatcher.CreateBatches(lengths, budget, new Rng(1));
        Assert.Equal(Enumerable.Range(0, count), batches.SelectMany(b => b).Order());
        Assert.All(batches, b => Assert.True(LengthBucketBatcher.PaddedTokens(lengths, b) <= budget));
    }

    [Fact]
    public void SameSeedSameBatchesAndNextCallReshuffles()
    {
        var lengths = RandomLengths(500, 3);
        var a = LengthBucketBatcher.CreateBatches(lengths, 300, new Rng(42));
        var b = LengthBucketBatcher.CreateBatches(lengths, 300, new Rng(42));
        Assert.Equal(a, b);
        var rng = new Rng(42);
        LengthBucketBatcher.CreateBatches(lengths, 300, rng);
        var nextEpoch = LengthBucketBatcher.CreateBatches(lengths, 300, rng);
        Assert.NotEqual(a, nextEpoch);
    }

    [Fact]
    public void BucketingWastesLittlePadding()
    {
        var lengths = RandomLengths(2000, 11);
        var batches = LengthBucketBatcher.CreateBatches(lengths, 1000, new Rng(5));
        long padded = batches.Sum(b => LengthBucketBatcher.PaddedTokens(lengths, b));
        long real = lengths.Sum(l => (long)Math.Max(l.Source, l.Target));
        Assert.True(padded < real * 1.10, $"padded {padded} vs real {real}");
        // Batches are full: all but a few use most of the budget.
        Assert.True(batches.Count(b => LengthBucketBatcher.PaddedTokens(lengths, b) < 900) <= 3 + lengths.Select(l => Math.Max(l.Source, l.Target)).Distinct().Count());
    }

    [Fact]
    public void OversizedPairFormsItsOwnBatch()
    {
        var batches = LengthBucketBatcher.CreateBatches([(5, 5), (50, 60), (5, 4)], 20, new Rng(1));
        Assert.Contains(batches, b => b.SequenceEqual([1]));
        Assert.Equal(2, batches.Count);
    }

    [Fact]
    public void SentenceCapIsHonoured()
    {
        var lengths = Enumerable.Repeat((2, 2), 10).ToList();
        var batches = LengthBucketBatcher.CreateBatches(lengths, 1000, new Rng(1), maxSentencesPerBatch: 4);
        Assert.Equal([2, 4, 4], batches.Select(b => b.Length).Order());
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => LengthBucketBatcher.CreateBatches([(1, 1)], 0, new Rng(1)));
        Assert.Throws<ArgumentException>(() => LengthBucketBatcher.CreateBatches([(1, -1)], 10, new Rng(1)));
    }
}
