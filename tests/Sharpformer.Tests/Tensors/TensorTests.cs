using Sharpformer.Tensors;

namespace Sharpformer.Tests.Tensors;

/// <summary>The pool is process-wide, so these tests run while no other test does.</summary>
[CollectionDefinition(nameof(TensorTests), DisableParallelization = true)]
public class TensorPoolCollection;

[Collection(nameof(TensorTests))]
public class TensorTests
{
    [Fact]
    public void ReshapeToWrongSizeNamesBothShapes()
    {
        var t = new Tensor(2, 3);
        var ex = Assert.Throws<ArgumentException>(() => t.Reshape(4, 2));
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(4, 2)", ex.Message);
    }

    [Fact]
    public void IndexerIsRowMajor()
    {
        var t = Tensor.FromArray([0, 1, 2, 3, 4, 5], 2, 3);
        Assert.Equal(5f, t[1, 2]);
        Assert.Equal(3f, t[1, 0]);
        Assert.Throws<ArgumentException>(() => t[2, 0]);
    }

    [Fact]
    public void PoolReusesReturnedBuffers()
    {
        var a = TensorPool.Rent(7, 11);
        var buffer = a.Data;
        TensorPool.Return(a);
        var b = TensorPool.Rent(11, 7);
        Assert.Same(buffer, b.Data);
        TensorPool.Return(b);
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(4097, 4608)]
    [InlineData(8192, 8192)]
    [InlineData(1_000_001, 1_048_576)]
    public void SizeClassesWasteAtMostAnEighth(int size, int expected)
    {
        int capacity = TensorPool.SizeClass(size);
        Assert.Equal(expected, capacity);
        Assert.True(capacity >= size && (capacity <= 4096 || capacity - size <= size / 8));
    }

    [Fact]
    public void PoolKeepsNoMoreThanItsLimit()
    {
        long limit = TensorPool.MaxPooledBytes;
        try
        {
            var a = TensorPool.Rent(4000);
            var b = TensorPool.Rent(4000);
            // Room for one of them, whatever earlier tests left in the pool.
            TensorPool.MaxPooledBytes = TensorPool.PooledBytes + 4L * a.Data.Length;
            TensorPool.Return(a);
            TensorPool.Return(b); // over the limit: dropped
            Assert.Same(a.Data, TensorPool.Rent(4000).Data);
            Assert.NotSame(b.Data, TensorPool.Rent(4000).Data);
        }
        finally { TensorPool.MaxPooledBytes = limit; }
    }
}
