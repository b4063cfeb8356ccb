using System.Numerics.Tensors;
using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>
    /// a + b, where b has a's shape or a suffix of it (b is broadcast over a's leading dims, e.g. a bias
    /// (C) over (B, T, C), or positions (T, C) over (B, T, C)).
    /// </summary>
    public Variable Add(Variable a, Variable b)
    {
        int inner = BroadcastInner("add", a, b);
        var y = Result(a.Shape, "add", a, b);
        bool sameShape = inner == a.Value.Size;
        if (sameShape) // a residual: (B, T, C) + (B, T, C), in parallel blocks
            ElementBlocks.For(inner, Parallelism.WorkPerStreamedElement, (s, n) => TensorPrimitives.Add(a.Value.Span.Slice(s, n), b.Value.Span.Slice(s, n), y.Value.Span.Slice(s, n)));
        else
        {
            var ys = y.Value.Span;
            for (int o = 0; o < a.Value.Size; o += inner)
                TensorPrimitives.Add(a.Value.Span.Slice(o, inner), b.Value.Span, ys.Slice(o, inner));
        }
        Record(y, () =>
        {
            if (a.RequiresGrad) PassGradient(y, a);
            if (!b.RequiresGrad) return;
            if (sameShape) PassGradient(y, b);
            else
            {
                var dY = y.Grad!.Span;
                var dB = GradOf(b).Span;
                for (int o = 0; o < a.Value.Size; o += inner) TensorPrimitives.Add(dB, dY.Slice(o, inner), dB);
            }
        });
        return y;
    }

    /// <summary>dX += dY (or dX = dY when x has no gradient yet) for an x of y's shape, in parallel blocks.</summary>
    private void PassGradient(Variable y, Variable x)
    {
        var dX = GradForWrite(x, out bool accumulate);
        if (accumulate) ElementBlocks.For(x.Value.Size, Parallelism.WorkPerStreamedElement, (s, n) => TensorPrimitives.Add(dX.Span.Slice(s, n), y.Grad!.Span.Slice(s, n), dX.Span.Slice(s, n)));
        else ElementBlocks.For(x.Value.Size, Parallelism.WorkPerStreamedElement, (s, n) => y.Grad!.Span.Slice(s, n).CopyTo(dX.Span.Slice(s, n)));
    }

    /// <summary>a ⊙ b, with b of a's shape or a suffix of it (broadcast as in <see cref="Add"/>).</summary>
    public Variable Mul(Variable a, Variable b)
    {
        int inner = BroadcastInner("mul", a, b);
        var y = Result(a.Shape, "mul", a, b);
        var ys = y.Value.Span;
        for (int o = 0; o < a.Value.Size; o += inner)
            TensorPrimitives.Multiply(a.Value.Span.Slice(o, inner), b.Value.Span, ys.Slice(o, inner));
        Record(y, () =>
        {
            var dY = y.Grad!.Span;
            for (int o = 0; o < a.Value.Size; o += inner)
            {
                var dYo = dY.Slice(o, inner);
                if (a.RequiresGrad)
                {
                    var dA = GradOf(a).Span.Slice(o, inner);
                    TensorPrimitives.FusedMultiplyAdd(dYo, b.Value.Span, dA, dA);
                }
                if (b.RequiresGrad)
                {
                    var dB = GradOf(b).Span;
                    TensorPrimitives.FusedMultiplyAdd(dYo, a.Value.Span.Slice(o, inner), dB, dB);
                }
            }
        });
        return y;
    }

    /// <summary>s · x for a constant s.</summary>
    public Variable Scale(Variable x, float s)
    {
        var y = Result(x.Shape, "scale", x);
        TensorPrimitives.Multiply(x.Value.Span, s, y.Value.Span);
        Record(y, () =>
        {
            var dX = GradOf(x).Span;
            TensorPrimitives.MultiplyAdd(y.Grad!.Span, s, dX, dX);
        });
        return y;
    }

    public Variable Relu(Variable x)
    {
        var y = Result(x.Shape, "relu", x);
        Kernels.Relu.Forward(x.Value.Span, y.Value.Span);
        Record(y, () => Kernels.Relu.Backward(x.Value.Span, y.Grad!.Span, GradOf(x).Span));
        return y;
    }

    /// <summary>GELU, tanh approximation (GPT-2).</summary>
    public Variable Gelu(Variable x) => Activation(x, "gelu", 30, Kernels.Gelu.Forward, Kernels.Gelu.Backward);

    /// <summary>GELU, exact form x·Φ(x) (PyTorch's nn.GELU(), as nanoGPT uses).</summary>
    public Variable GeluExact(Variable x) => Activation(x, "gelu_exact", 40, Kernels.GeluExact.Forward, Kernels.GeluExact.Backward);

    private delegate void ActivationForward(ReadOnlySpan<float> x, Span<float> y);
    private delegate void ActivationBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate);

    /// <summary>An elementwise nonlinearity, forward and backward in parallel blocks of a long buffer.</summary>
    private Variable Activation(Variable x, string name, long workPerElement, ActivationForward forward, ActivationBackward backward)
    {
        var y = Result(x.Shape, name, x);
        ElementBlocks.For(x.Value.Size, workPerElement, (s, n) => forward(x.Value.Span.Slice(s, n), y.Value.Span.Slice(s, n)));
        Record(y, () =>
        {
            var dX = GradForWrite(x, out bool accumulate);
            ElementBlocks.For(x.Value.Size, workPerElement, (s, n) => backward(x.Value.Span.Slice(s, n), y.Grad!.Span.Slice(s, n), dX.Span.Slice(s, n), accumulate));
        });
        return y;
    }

    /// <summary>Sum of all elements: a scalar of shape (1).</summary>
    public Variable Sum(Variable x)
    {
        var y = Result([1], "sum", x);
        y.Value.Span[0] = TensorPrimitives.Sum(x.Value.Span);
        Record(y, () =>
        {
            var dX = GradOf(x).Span;
            TensorPrimitives.Add(dX, y.Grad!.Span[0], dX);
        });
        return y;
    }

    /// <summary>Size of b when b's shape is a suffix of a's; throws naming the op and both shapes otherwise.</summary>
    private static int BroadcastInner(string op, Variable a, Variable b)
    {
        int rb = b.Value.Rank, ra = a.Value.Rank;
        if (rb > ra || !a.Shape.AsSpan(ra - rb).SequenceEqual(b.Shape))
            throw new ArgumentException($"{op}: shape {ShapeOf.Format(b.Shape)} cannot broadcast to {ShapeOf.Format(a.Shape)} (it must equal a suffix of it).");
        return Math.Max(1, b.Value.Size);
    }
}
