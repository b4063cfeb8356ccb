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
    [Fact]
    public void SecondStream_Is2To128StepsAhead()
    {
        // The xoshiro step is linear over GF(2) on the 256 state bits: square its matrix 128 times and apply
        // the result to Rng(seed)'s state; the jump polynomial must land on the same state.
        var step = new ulong[256][];
        for (int bit = 0; bit < 256; bit++)
        {
            var basis = new ulong[6];
            basis[bit / 64] = 1UL << (bit % 64);
            var rng = Rng.FromState(basis);
            rng.NextUInt64();
            step[bit] = rng.GetState()[..4];
        }
        var power = step;
        for (int i = 0; i < 128; i++) power = Compose(power, power);

        const ulong seed = 1337;
        var expected = Apply(power, new Rng(seed).GetState()[..4]);
        Assert.Equal(expected, Rng.SecondStream(seed).GetState()[..4]);
    }

    [Fact]
    public void SecondStream_SharesNoOutputWithTheFirst()
    {
        var first = new Rng(42);
        var second = Rng.SecondStream(42);
        var seen = Enumerable.Range(0, 10_000).Select(_ => first.NextUInt64()).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, 10_000).Select(_ => second.NextUInt64()), seen.Contains);
    }

    // (a ∘ b)(e_i) = a(b(e_i)) for maps given by the images of the 256 basis states.
    private static ulong[][] Compose(ulong[][] a, ulong[][] b) => b.Select(image => Apply(a, image)).ToArray();

    private static ulong[] Apply(ulong[][] map, ulong[] state)
    {
        var result = new ulong[4];
        for (int bit = 0; bit < 256; bit++)
            if ((state[bit / 64] & (1UL << (bit % 64))) != 0)
                for (int w = 0; w < 4; w++) result[w] ^= map[bit][w];
        return result;
    }
}
