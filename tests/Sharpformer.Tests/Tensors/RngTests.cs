using Sharpformer.Tensors;

namespace Sharpformer.Tests.Tensors;

public class RngTests
{
    [Fact]
    public void SameSeedGivesSameStream()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }

    [Fact]
    public void RestoredStateContinuesTheStream()
    {
        var rng = new Rng(7);
        rng.NextNormal(); // leaves a cached normal in the state
        var state = rng.GetState();
        var expected = Enumerable.Range(0, 10).Select(_ => rng.NextNormal()).ToArray();
        var restored = Rng.FromState(state);
        var actual = Enumerable.Range(0, 10).Select(_ => restored.NextNormal()).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void NormalHasUnitMomentsAndIntsAreInRange()
    {
        var rng = new Rng(3);
        double sum = 0, sumSq = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++) { double x = rng.NextNormal(); sum += x; sumSq += x * x; }
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSq / n, 0.98, 1.02);
        var counts = new int[5];
        for (int i = 0; i < 50_000; i++) counts[rng.NextInt(5)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
}
