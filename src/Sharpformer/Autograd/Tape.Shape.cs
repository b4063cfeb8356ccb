using Sharpformer.Tensors;

namespace Sharpformer.Autograd;

internal sealed partial class Tape
{
    /// <summary>A view with another shape over the same values; its gradient is a view of the input's gradient.</summary>
    public Variable Reshape(Variable x, params int[] shape)
    {
        var value = x.Value.Reshape(shape);
        var y = new Variable(value, x.RequiresGrad && RecordsGradients, "reshape");
        if (y.RequiresGrad) y.Grad = GradOf(x).Reshape(shape);
        return y;
    }

    /// <summary>
    /// Splits heads out of the channels: takes part <paramref name="part"/> of <paramref name="parts"/> equal
    /// slices of the last dim (e.g. q, k or v of a fused (B, T, 3C) projection) and rearranges
    /// (B, T, C) -> (B, nh, T, hs) with hs = C / nh.
    /// </summary>
    public Variable SplitHeads(Variable x, int heads, int part = 0, int parts = 1)
    {
        if (x.Value.Rank != 3 || x.Dim(2) % (parts * heads) != 0 || (uint)part >= (uint)parts)
            throw new ArgumentException($"split_heads: input {ShapeOf.Format(x.Shape)} cannot give part {part} of {parts} with {heads} heads (last dim must divide by parts·heads).");
        int batch = x.Dim(0), t = x.Dim(1), width = x.Dim(2), c = width / parts, hs = c / heads;
        var y = Result([batch, heads, t, hs], "split_heads", x);
        var layout = new HeadLayout(batch, t, heads, hs, width, part * c);
        layout.Move(x.Value.Span, y.Value.Span, channelsToHeads: true, accumulate: false);
        Record(y, () => layout.Move(GradOf(x).Span, y.Grad!.Span, channelsToHeads: false, accumulate: true));
        return y;
    }

    /// <summary>
    /// The same (B, T, C) input for every head: (B, T, C) -> (B, nh, T, C), each head a copy; the gradient of the
    /// input is the sum over the heads. The keys of merged query–key attention, which are the input itself.
    /// </summary>
    public Variable RepeatHeads(Variable x, int heads)
    {
        if (x.Value.Rank != 3 || heads < 1)
            throw new ArgumentException($"repeat_heads: input {ShapeOf.Format(x.Shape)} must be (B, T, C) and heads ({heads}) at least 1.");
        int batch = x.Dim(0), block = x.Dim(1) * x.Dim(2);
        var y = Result([batch, heads, x.Dim(1), x.Dim(2)], "repeat_heads", x);
        for (int b = 0; b < batch; b++)
        for (int h = 0; h < heads; h++)
            x.Value.Span.Slice(b * block, block).CopyTo(y.Value.Span.Slice((b * heads + h) * block, block));
        Record(y, () =>
        {
            var dX = GradOf(x).Span;
            for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                var into = dX.Slice(b * block, block);
                System.Numerics.Tensors.TensorPrimitives.Add(into, y.Grad!.Span.Slice((b * heads + h) * block, block), into);
            }
        });
        return y;
    }

    /// <summary>The inverse of <see cref="SplitHeads"/> for one part: (B, nh, T, hs) -> (B, T, nh·hs).</summary>
    public Variable MergeHeads(Variable x)
    {
        if (x.Value.Rank != 4) throw new ArgumentException($"merge_heads: input must be (B, nh, T, hs), got {ShapeOf.Format(x.Shape)}.");
        int batch = x.Dim(0), heads = x.Dim(1), t = x.Dim(2), hs = x.Dim(3), c = heads * hs;
        var y = Result([batch, t, c], "merge_heads", x);
        var layout = new HeadLayout(batch, t, heads, hs, c, 0);
        layout.Move(y.Value.Span, x.Value.Span, channelsToHeads: false, accumulate: false);
        Record(y, () => layout.Move(y.Grad!.Span, GradOf(x).Span, channelsToHeads: true, accumulate: true));
        return y;
    }

    /// <summary>
    /// Where head h of time step i lives in both layouts: channels (B, T, width) at column offset + h·hs,
    /// and heads (B, nh, T, hs).
    /// </summary>
    private readonly record struct HeadLayout(int Batch, int Time, int Heads, int HeadSize, int Width, int Offset)
    {
        /// <summary>
        /// Copies (or adds) rows of hs values from one layout into the other, one (batch, head) pair per parallel
        /// item: the pairs touch disjoint values in both layouts, so the result does not depend on the threads.
        /// </summary>
        public unsafe void Move(Span<float> channels, Span<float> heads, bool channelsToHeads, bool accumulate)
        {
            fixed (float* pc = channels, ph = heads)
            {
                var layout = this;
                nint c = (nint)pc, h = (nint)ph;
                Kernels.Parallelism.For(Batch * Heads, bh => layout.MovePair(bh, (float*)c, (float*)h, channelsToHeads, accumulate),
                    workPerItem: Kernels.Parallelism.WorkPerStreamedElement * Time * HeadSize);
            }
        }

        // (B, T, width) at column offset + h·hs <-> (B, nh, T, hs), for pair bh = b·nh + h.
        private unsafe void MovePair(int bh, float* channels, float* heads, bool channelsToHeads, bool accumulate)
        {
            int b = bh / Heads, h = bh % Heads;
            for (int i = 0; i < Time; i++)
            {
                var inHeads = new Span<float>(heads + ((long)bh * Time + i) * HeadSize, HeadSize);
                var inChannels = new Span<float>(channels + ((long)b * Time + i) * Width + Offset + h * HeadSize, HeadSize);
                var from = channelsToHeads ? inChannels : inHeads;
                var to = channelsToHeads ? inHeads : inChannels;
                if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(to, from, to);
                else from.CopyTo(to);
            }
        }
    }
}
