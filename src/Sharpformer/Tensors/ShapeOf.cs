namespace Sharpformer.Tensors;

/// <summary>Shape arithmetic and the messages that name shapes when they do not fit.</summary>
internal static class ShapeOf
{
    public static int Size(ReadOnlySpan<int> shape)
    {
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.");
            size *= d;
        }
        if (size > Array.MaxLength) throw new ArgumentException($"Shape {Format(shape)} has {size} elements, more than an array can hold.");
        return (int)size;
    }

    public static string Format(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    /// <summary>Product of all dimensions but the last one: the number of rows of the flattened tensor.</summary>
    public static int Rows(ReadOnlySpan<int> shape) => shape.Length == 0 ? 1 : Size(shape[..^1]);

    public static int Offset(int[] shape, int[] index)
    {
        if (index.Length != shape.Length)
            throw new ArgumentException($"Index of rank {index.Length} for a tensor of shape {Format(shape)}.");
        int offset = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i])
                throw new ArgumentException($"Index {Format(index)} is outside shape {Format(shape)}.");
            offset = offset * shape[i] + index[i];
        }
        return offset;
    }

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the op and both shapes unless they are equal.</summary>
    public static void RequireEqual(string op, ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (!a.SequenceEqual(b))
            throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} must be equal.");
    }
}
