using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Attention;

public class SparseKernelAllocationTests
{
    [Fact]
    public void KernelsAllocateNothingAfterWarmUp()
    {
        var shape = AttentionShape.Create(2, 2, 70, 70, 12, causal: true);
        var rng = new Rng(1);
        float[] Random(long n) { var a = new float[n]; rng.FillNormal(a, 1f); return a; }
        var (q, k, v, dO) = (Random(shape.QuerySize), Random(shape.KeySize), Random(shape.KeySize), Random(shape.QuerySize));
        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        int[] lengths = [70, 50];
        var window = new BlockSparsePattern();
        BlockSparseWindowPattern.Build(window, shape, 16, window: 20, globalTokens: 2, randomBlocks: 0, seed: 0);
        var topk = new BlockSparsePattern();
        var options = new LshOptions(8, 16, 2, ExcludeSelf: true);
        var rotations = Random(options.RotationSize(shape.HeadSize));
        void All()
        {
            BlockSparseAttention.Forward(q, k, v, lengths, shape, window, o, lse);
            BlockSparseAttention.Backward(q, k, v, o, lse, dO, lengths, shape, window, dQ, dK, dV);
            TopKBlockSelection.Build(topk, q, k, lengths, shape, 16, topBlocks: 2, localBlocks: 1);
            BlockSparseAttention.Forward(q, k, v, lengths, shape, topk, o, lse);
            BlockSparseAttention.Backward(q, k, v, o, lse, dO, lengths, shape, topk, dQ, dK, dV);
            LshAttention.Forward(q, k, v, lengths, shape, options, rotations, o, lse);
            LshAttention.Backward(q, k, v, o, lse, dO, lengths, shape, options, rotations, dQ, dK, dV);
        }
        using (Parallelism.UseThreads(1)) // one thread runs the loops inline, so only the kernels themselves are measured
        {
            for (int i = 0; i < 3; i++) All();
            long before = GC.GetAllocatedBytesForCurrentThread();
            All();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void RejectsAPatternBuiltForAnotherShape()
    {
        var pattern = new BlockSparsePattern();
        BlockSparseWindowPattern.Build(pattern, AttentionShape.Create(1, 1, 32, 32, 4, causal: true), 16, 8, 0, 0, 0);
        var shape = AttentionShape.Create(1, 1, 33, 33, 4, causal: true);
        var x = new float[shape.QuerySize];
        var e = Assert.Throws<ArgumentException>(() => BlockSparseAttention.Forward(x, x, x, [], shape, pattern, new float[x.Length], new float[33]));
        Assert.Equal("pattern", e.ParamName);
        var lsh = new LshOptions(3, 16, 1, ExcludeSelf: false);
        Assert.Throws<ArgumentException>(() => LshAttention.Forward(x, x, x, [], shape, lsh, new float[4], new float[x.Length], new float[33]));
    }
}
