using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>
    /// Embedding lookup: row ids[i] of the table (V, C) for every id — the product A·E with A the one-hot
    /// rows of the ids, without building A. Output: ids' shape + (C). Backward scatter-adds into the table's
    /// gradient in id order (deterministic).
    /// </summary>
    public Variable Embedding(ReadOnlySpan<int> ids, int[] idShape, Variable table)
    {
        if (table.Value.Rank != 2) throw new ArgumentException($"embedding: table must be (V, C), got {ShapeOf.Format(table.Shape)}.");
        if (ShapeOf.Size(idShape) != ids.Length)
            throw new ArgumentException($"embedding: {ids.Length} ids do not fill shape {ShapeOf.Format(idShape)}.");
        int vocab = table.Dim(0), c = table.Dim(1);
        var y = Result([.. idShape, c], "embedding", table);
        var idCopy = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)vocab) throw new ArgumentException($"embedding: id {id} at position {i} is outside the vocabulary of {vocab}.");
            table.Value.Span.Slice(id * c, c).CopyTo(y.Value.Span.Slice(i * c, c));
            idCopy[i] = id;
        }
        Record(y, () =>
        {
            var dT = GradOf(table).Span;
            var dY = y.Grad!.Span;
            for (int i = 0; i < idCopy.Length; i++)
            {
                var row = dT.Slice(idCopy[i] * c, c);
                System.Numerics.Tensors.TensorPrimitives.Add(row, dY.Slice(i * c, c), row);
            }
        });
        return y;
    }
}
