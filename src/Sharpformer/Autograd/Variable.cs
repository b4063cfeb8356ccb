using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

/// <summary>
/// A value in the computation graph and, once <see cref="Tape.Backward"/> has run, its gradient.
/// Parameters own their buffers and keep their gradients across steps (they accumulate until
/// <see cref="ZeroGrad"/>); intermediates borrow pooled buffers that the tape returns on reset.
/// </summary>
internal sealed class Variable
{
    public Tensor Value { get; }
    public Tensor? Grad { get; internal set; }
    public bool RequiresGrad { get; }
    public string Name { get; }

    internal Variable(Tensor value, bool requiresGrad, string name)
    {
        Value = value;
        RequiresGrad = requiresGrad;
        Name = name;
    }

    /// <summary>A trainable leaf: owns its value and a zeroed gradient of the same shape.</summary>
    public static Variable Parameter(Tensor value, string name) =>
        new(value, requiresGrad: true, name) { Grad = new Tensor(value.Shape) };

    /// <summary>A leaf that takes no gradient (inputs, constants).</summary>
    public static Variable Constant(Tensor value, string name = "const") => new(value, requiresGrad: false, name);

    public int[] Shape => Value.Shape;
    public int Dim(int dim) => Value.Dim(dim);

    public void ZeroGrad() => Grad?.Span.Clear();

    public override string ToString() => $"{Name}{ShapeOf.Format(Shape)}";
}
