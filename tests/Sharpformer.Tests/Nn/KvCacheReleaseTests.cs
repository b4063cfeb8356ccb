using Sharpformer.Nn;
using Sharpformer.Tensors;
using Sharpformer.Tests.Tensors;

namespace Sharpformer.Tests.Nn;

/// <summary>A search's KV cache gives its stores back to the pool, once.</summary>
[Collection(nameof(TensorTests))]
public class KvCacheReleaseTests
{
    [Fact]
    public void ReleaseReturnsTheStoresOnceHoweverOftenItIsCalled()
    {
        TensorPool.Clear();
        var cache = new LayerKvCache(batch: 2, heads: 2, capacity: 8, headSize: 4);
        var k = Tensor.FromArray(Enumerable.Range(0, 2 * 2 * 3 * 4).Select(i => (float)i).ToArray(), 2, 2, 3, 4);
        cache.Append(k, k);
        cache.Reorder([1, 0]); // brings in the spare stores
        cache.Release();
        long held = TensorPool.PooledBytes;
        Assert.Equal(4 * 4L * TensorPool.SizeClass(2 * 2 * 8 * 4), held); // keys, values and their two spares
        cache.Release();
        Assert.Equal(held, TensorPool.PooledBytes);
        TensorPool.Clear();
    }
}
