using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Autograd;

public class ShapeErrorTests
{
    private static Variable V(params int[] shape) => Variable.Constant(new Tensor(shape));

    [Fact]
    public void MatMulNamesOpAndBothShapes()
    {
        using var tape = new Tape();
        var ex = Assert.Throws<ArgumentException>(() => tape.MatMul(V(2, 3), V(4, 5)));
        Assert.Contains("matmul", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(4, 5)", ex.Message);
    }

    [Fact]
    public void BroadcastErrorsNameBothShapes()
    {
        using var tape = new Tape();
        var ex = Assert.Throws<ArgumentException>(() => tape.Add(V(2, 3), V(2)));
        Assert.Contains("add", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(2)", ex.Message);
        Assert.Throws<ArgumentException>(() => tape.Mul(V(3), V(2, 3)));
    }

    [Fact]
    public void LinearAndLayerNormAndLossValidate()
    {
        using var tape = new Tape();
        Assert.Contains("linear", Assert.Throws<ArgumentException>(() => tape.Linear(V(2, 4), V(3, 5))).Message);
        Assert.Contains("layer_norm", Assert.Throws<ArgumentException>(() => tape.LayerNorm(V(2, 4), V(5), null)).Message);
        Assert.Contains("cross_entropy", Assert.Throws<ArgumentException>(() => tape.CrossEntropy(V(2, 4), [1])).Message);
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => tape.CrossEntropy(V(1, 4), [4])).Message);
        Assert.Contains("embedding", Assert.Throws<ArgumentException>(() => tape.Embedding([7], [1], V(3, 2))).Message);
    }
}
