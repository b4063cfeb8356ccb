namespace Sharpformer.Tensors;

/// <summary>
/// A dense fp32 tensor in row-major order: <see cref="Shape"/> plus a flat buffer.
/// The buffer may be longer than the tensor (pooled storage); only the first <see cref="Size"/> floats count.
/// </summary>
internal sealed class Tensor
{
    public int[] Shape { get; }
    public float[] Data { get; }
    public int Size { get; }

    /// <summary>True when <see cref="Data"/> came from <see cref="TensorPool"/> and goes back there.</summary>
    internal bool Pooled { get; }

    public Tensor(params int[] shape) : this(shape, new float[ShapeOf.Size(shape)], pooled: false) { }

    public Tensor(int[] shape, float[] data) : this(shape, data, pooled: false) { }

    internal Tensor(int[] shape, float[] data, bool pooled)
    {
        int size = ShapeOf.Size(shape);
        if (data.Length < size)
            throw new ArgumentException($"Tensor of shape {ShapeOf.Format(shape)} needs {size} values, got a buffer of {data.Length}.", nameof(data));
        Shape = (int[])shape.Clone();
        Data = data;
        Size = size;
        Pooled = pooled;
    }

    public static Tensor FromArray(float[] values, params int[] shape)
    {
        if (ShapeOf.Size(shape) != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape {ShapeOf.Format(shape)}.", nameof(values));
        return new Tensor(shape, values);
    }

    public Span<float> Span => Data.AsSpan(0, Size);
    public int Rank => Shape.Length;

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Dim(int dim) => Shape[dim < 0 ? Shape.Length + dim : dim];

    public float this[params int[] index]
    {
        get => Data[ShapeOf.Offset(Shape, index)];
        set => Data[ShapeOf.Offset(Shape, index)] = value;
    }

    /// <summary>A tensor over the same buffer with another shape of the same size.</summary>
    public Tensor Reshape(params int[] shape)
    {
        if (ShapeOf.Size(shape) != Size)
            throw new ArgumentException($"Cannot reshape {ShapeOf.Format(Shape)} ({Size} values) to {ShapeOf.Format(shape)}.", nameof(shape));
        return new Tensor(shape, Data, Pooled);
    }

    public Tensor Clone()
    {
        var copy = new Tensor(Shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    public override string ToString() => $"Tensor{ShapeOf.Format(Shape)}";
}
