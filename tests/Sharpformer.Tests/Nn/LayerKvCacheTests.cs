using Sharpformer.Autograd;
using Sharpformer.Nn;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Nn;

public class LayerKvCacheTests
{
    // (B=2, nh=1, T, hs=2) filled with base + position: row r of batch b holds b·100 + base + r.
    private static Tensor Rows(int t, float first, int start = 0)
    {
        var x = new Tensor(2, 1, t, 2);
        for (int b = 0; b < 2; b++)
        for (int r = 0; r < t; r++)
            x.Span.Slice((b * t + r) * 2, 2).Fill(b * 100 + first + start + r);
        return x;
    }

    [Fact]
    public void KeptQueriesAppendViewAndReorderWithTheKeys()
    {
        var cache = new LayerKvCache(2, 1, 8, 2);
        cache.Append(Rows(3, 0), Rows(3, 10), Rows(3, 20));
        cache.Append(Rows(1, 0, start: 3), Rows(1, 10, start: 3), Rows(1, 20, start: 3));
        Assert.True(cache.KeepsQueries);
        using var tape = new Tape(recordGradients: false);
        Assert.Equal([20, 20, 21, 21, 22, 22, 23, 23, 120, 120, 121, 121, 122, 122, 123, 123], cache.ViewQueries(tape).Value.Span.ToArray());

        cache.Reorder([1, 1]);
        var (keys, _) = cache.View(tape);
        Assert.Equal(100f, keys.Value.Span[0]);
        Assert.Equal([120, 120, 121, 121, 122, 122, 123, 123, 120, 120, 121, 121, 122, 122, 123, 123], cache.ViewQueries(tape).Value.Span.ToArray());
    }

    [Fact]
    public void QueriesMustBeKeptForEveryPositionOrNone()
    {
        var cache = new LayerKvCache(2, 1, 8, 2);
        cache.Append(Rows(2, 0), Rows(2, 10));
        Assert.False(cache.KeepsQueries);
        Assert.Contains("position 2", Assert.Throws<ArgumentException>(() => cache.Append(Rows(1, 0), Rows(1, 10), Rows(1, 20))).Message);

        var keeping = new LayerKvCache(2, 1, 8, 2);
        keeping.Append(Rows(2, 0), Rows(2, 10), Rows(2, 20));
        Assert.Contains("without theirs", Assert.Throws<ArgumentException>(() => keeping.Append(Rows(1, 0), Rows(1, 10))).Message);
    }
}
