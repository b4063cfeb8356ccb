using Sharpformer.Tensors;

namespace Sharpformer.Tests.Tensors;

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
}
