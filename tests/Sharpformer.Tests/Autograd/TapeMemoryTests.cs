using Sharpformer.Autograd;
using Sharpformer.Tensors;
using Sharpformer.Tests.Tensors;

namespace Sharpformer.Tests.Autograd;

/// <summary>What a backward pass holds: values until the reset, gradients only while they are needed.</summary>
[Collection(nameof(TensorTests))]
public class TapeMemoryTests
{
    [Fact]
    public void BackwardGivesEachIntermediateGradientBackOnceItIsSpent()
    {
        const int n = 10_000, depth = 20;
        long buffer = 4L * TensorPool.SizeClass(n);
        TensorPool.Clear();
        var x = Variable.Parameter(Tensor.FromArray(Enumerable.Range(0, n).Select(i => i * 1e-3f).ToArray(), n), "x");
        var tape = new Tape();
        var chain = new List<Variable> { x };
        for (int i = 0; i < depth; i++) chain.Add(tape.Scale(chain[^1], 1.5f));
        var last = chain[^1].Value.Span.ToArray();
        tape.Backward(tape.Sum(chain[^1]));

        // dL/dx = 1.5^depth everywhere; the values stay readable until the reset; spent gradients are gone.
        Assert.All(x.Grad!.Span.ToArray(), g => Assert.Equal(MathF.Pow(1.5f, depth), g, 1e-3f));
        Assert.Equal(last, chain[^1].Value.Span.ToArray());
        Assert.All(chain.Skip(1), v => Assert.Null(v.Grad));
        tape.Reset();
        // Holding every gradient to the end would take depth values + depth gradients at once; handing each back
        // as soon as it is spent lets the next one reuse it: depth values and two gradients.
        long held = TensorPool.PooledBytes;
        Assert.True(held <= (depth + 2) * buffer + 4096, $"the pass held {held:N0} bytes, {held / (double)buffer:F1} buffers of {buffer:N0}");
        TensorPool.Clear();
    }
}
