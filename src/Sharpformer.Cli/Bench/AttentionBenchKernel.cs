using Sharpformer.Attention;
using Sharpformer.Kernels;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// One attention kernel as `bench attention` drives it: forward and backward over buffers made once per case,
/// what it saves for the backward, its scratch memory, and the scores it computes. <see cref="Create"/> is the
/// one place that maps a variant name to kernel calls.
/// </summary>
internal abstract class AttentionBenchKernel
{
    /// <summary>Variant families the benchmark can run, for the --variants help and error text.</summary>
    public const string Supported = "full, flash, window[:W[:G[:R]]], topk[:N[:L[:bound]]], lsh[:B[:C[:R]]]";

    protected readonly AttentionShape Shape;
    protected readonly ReadOnlyMemory<float> Q, K, V, DO;
    protected readonly float[] O, DQ, DK, DV;

    protected AttentionBenchKernel(AttentionShape shape, ReadOnlyMemory<float> q, ReadOnlyMemory<float> k, ReadOnlyMemory<float> v, ReadOnlyMemory<float> dO)
    {
        Shape = shape;
        (Q, K, V, DO) = (q, k, v, dO);
        O = new float[shape.QuerySize];
        (DQ, DK, DV) = (new float[shape.QuerySize], new float[shape.KeySize], new float[shape.KeySize]);
    }

    /// <summary>
    /// The kernel of <paramref name="variant"/> (a name as <see cref="AttentionVariants.Create"/> takes it) for one
    /// shape; q, k, v, dO: (B·nh, T, hs). Throws <see cref="ArgumentException"/> for a variant without a kernel here.
    /// </summary>
    public static AttentionBenchKernel Create(string variant, AttentionShape shape, ReadOnlyMemory<float> q, ReadOnlyMemory<float> k,
        ReadOnlyMemory<float> v, ReadOnlyMemory<float> dO) => Parse(variant) switch
    {
        FullVariant => new Full(shape, q, k, v, dO),
        FlashVariant => new Flash(shape, q, k, v, dO),
        WindowVariant window => new BlockSparse(shape, q, k, v, dO, window.PatternFor(shape.QueryLength, shape.KeyLength, shape.Causal, shape.HeadSize), select: null),
        TopKVariant topk => new BlockSparse(shape, q, k, v, dO, new BlockSparsePattern(), select: pattern =>
            TopKBlockSelection.Build(pattern, q.Span, k.Span, [], shape, topk.TileSize, topk.TopBlocks, topk.LocalBlocks, topk.Estimate)),
        LshVariant lsh => new Lsh(shape, q, k, v, dO, lsh.Options, lsh.RotationsFor(shape.HeadSize)),
        _ => throw NoKernel(variant),
    };

    /// <summary>Checks that <paramref name="variant"/> names a variant this benchmark can run.</summary>
    public static void Validate(string variant)
    {
        if (Parse(variant) is not (FullVariant or FlashVariant or WindowVariant or TopKVariant or LshVariant)) throw NoKernel(variant);
    }

    private static IAttentionVariant Parse(string variant)
    {
        try { return AttentionVariants.Create(variant); }
        catch (ArgumentException) { throw Unknown(variant); }
    }

    private static ArgumentException Unknown(string variant) =>
        new($"--variants: unknown attention variant '{variant}', expected one of {Supported}.");

    private static ArgumentException NoKernel(string variant) =>
        new($"--variants: attention variant '{variant}' has no benchmark here yet, expected one of {Supported}.");

    public abstract void Forward();
    public abstract void Backward();

    /// <summary>Fraction of the Tq×Tk scores the forward computes (call after a forward).</summary>
    public abstract double ComputedScoreFraction();

    /// <summary>Query–key pairs the math counts over all heads (call after a forward): visible pairs, or the pattern's scores.</summary>
    public abstract double UsefulPairs();

    /// <summary>Bytes of the outputs and what the forward saves for the backward (plus the gradients with it).</summary>
    public long OutputBytes(bool withBackward) => 4L * (O.Length + SavedFloats + (withBackward ? DQ.Length + DK.Length + DV.Length : 0)) + ExtraBytes;

    /// <summary>Per-thread scratch of the kernel's passes, all threads.</summary>
    public abstract long ScratchBytes(bool withBackward);

    protected abstract long SavedFloats { get; }

    /// <summary>Other memory a call keeps (a block-sparse pattern).</summary>
    protected virtual long ExtraBytes => 0;

    /// <summary>Pairs the causal and padding masks let through: the useful work of a dense kernel.</summary>
    protected double VisiblePairs()
    {
        double pairs = 0;
        for (int i = 0; i < Shape.QueryLength; i++) pairs += Shape.VisibleKeys(i, Shape.KeyLength);
        return pairs * Shape.BatchHeads;
    }

    private sealed class Full(AttentionShape shape, ReadOnlyMemory<float> q, ReadOnlyMemory<float> k, ReadOnlyMemory<float> v, ReadOnlyMemory<float> dO)
        : AttentionBenchKernel(shape, q, k, v, dO)
    {
        private readonly float[] _probabilities = new float[shape.ScoreSize];

        public override void Forward() => FullAttention.Forward(Q.Span, K.Span, V.Span, [], Shape, _probabilities, O);
        public override void Backward() => FullAttention.Backward(Q.Span, K.Span, V.Span, _probabilities, DO.Span, [], Shape, DQ, DK, DV);
        // Full attention computes each query tile's scores only up to the last key its last row sees, as flash does.
        public override double ComputedScoreFraction() => FlashAttention.ComputedScoreFraction([], Shape);
        public override double UsefulPairs() => VisiblePairs();
        public override long ScratchBytes(bool withBackward) => FullAttention.ForwardScratch.Bytes + (withBackward ? FullAttention.BackwardScratch.Bytes : 0);
        protected override long SavedFloats => _probabilities.Length;
    }

    private sealed class Flash(AttentionShape shape, ReadOnlyMemory<float> q, ReadOnlyMemory<float> k, ReadOnlyMemory<float> v, ReadOnlyMemory<float> dO)
        : AttentionBenchKernel(shape, q, k, v, dO)
    {
        private readonly float[] _lse = new float[shape.RowCount];

        public override void Forward() => FlashAttention.Forward(Q.Span, K.Span, V.Span, [], Shape, O, _lse);
        public override void Backward() => FlashAttention.Backward(Q.Span, K.Span, V.Span, O, _lse, DO.Span, [], Shape, DQ, DK, DV);
        public override double ComputedScoreFraction() => FlashAttention.ComputedScoreFraction([], Shape);
        public override double UsefulPairs() => VisiblePairs();
        public override long ScratchBytes(bool withBackward) => FlashAttention.ForwardScratch.Bytes + (withBackward ? FlashAttention.BackwardScratch.Bytes : 0);
        protected override long SavedFloats => _lse.Length;
    }

    /// <summary>window and topk: a pattern made once (window) or chosen from q and k at every forward (topk), then the block-sparse kernel.</summary>
    private sealed class BlockSparse(AttentionShape shape, ReadOnlyMemory<float> q, ReadOnlyMemory<float> k, ReadOnlyMemory<float> v,
        ReadOnlyMemory<float> dO, BlockSparsePattern pattern, Action<BlockSparsePattern>? select)
        : AttentionBenchKernel(shape, q, k, v, dO)
    {
        private readonly float[] _lse = new float[shape.RowCount];

        public override void Forward()
        {
            select?.Invoke(pattern);
            BlockSparseAttention.Forward(Q.Span, K.Span, V.Span, [], Shape, pattern, O, _lse);
        }

        public override void Backward() => BlockSparseAttention.Backward(Q.Span, K.Span, V.Span, O, _lse, DO.Span, [], Shape, pattern, DQ, DK, DV);
        public override double ComputedScoreFraction() => pattern.ComputedScoreFraction([], Shape);
        public override double UsefulPairs() => ComputedScoreFraction() * Shape.ScoreSize;
        public override long ScratchBytes(bool withBackward) =>
            BlockSparseAttention.ForwardScratch.Bytes + (withBackward ? BlockSparseAttention.BackwardScratch.Bytes : 0);
        protected override long SavedFloats => _lse.Length;
        protected override long ExtraBytes => pattern.Bytes;
    }
    /// <summary>
    /// lsh: the hashing kernel on the given q and k (the variant feeds it q and the normalised q as keys; the
    /// work is the same). Hashing and sorting run inside every forward and backward.
    /// </summary>
    private sealed class Lsh(AttentionShape shape, ReadOnlyMemory<float> q, ReadOnlyMemory<float> k, ReadOnlyMemory<float> v,
        ReadOnlyMemory<float> dO, LshOptions options, float[] rotations)
        : AttentionBenchKernel(shape, q, k, v, dO)
    {
        private readonly float[] _lse = new float[shape.RowCount];
        private double? _fraction;

        public override void Forward() => LshAttention.Forward(Q.Span, K.Span, V.Span, [], Shape, options, rotations, O, _lse);
        public override void Backward() =>
            LshAttention.Backward(Q.Span, K.Span, V.Span, O, _lse, DO.Span, [], Shape, options, rotations, DQ, DK, DV);
        public override double ComputedScoreFraction() =>
            _fraction ??= LshAttention.ComputedScoreFraction(Q.Span, K.Span, [], Shape, options, rotations);
        public override double UsefulPairs() => ComputedScoreFraction() * Shape.ScoreSize;
        public override long ScratchBytes(bool withBackward) => LshAttention.Scratch.Bytes;
        protected override long SavedFloats => _lse.Length;
    }
}
