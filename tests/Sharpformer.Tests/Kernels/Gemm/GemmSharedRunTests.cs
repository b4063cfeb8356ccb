using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>A product run by one thread whose row items another thread takes as it goes (<see cref="GemmJob.TryHelp"/>).</summary>
[Collection(GemmCollection.Name)]
public class GemmSharedRunTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public unsafe void RowItemsTakenByAnotherThread_GiveTheSameBitsAsOneThread(bool transA, bool transB)
    {
        // Four K blocks and two N blocks: the helper takes items of every block, and the owner must not
        // start a block before the helper's items of the one before are done, or C gets the wrong sums.
        const int m = 300, n = 600, k = 2000;
        var rng = new Rng(13);
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] expected = new float[m * n];
        using (GemmCheck.Threads(1)) Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, expected, n);

        var job = new GemmJob();
        float[] c = new float[m * n];
        int helped = 0;
        bool finished = false;
        var helper = new Thread(() =>
        {
            while (!Volatile.Read(ref finished))
                if (job.TryHelp()) helped++;
        });
        helper.Start();
        fixed (float* pa = a, pb = b, pc = c)
        {
            job.Begin(GemmBlocking.For(Simd.Best), transA, transB, m, n, k, pa, lda, pb, ldb, pc, n, 1f, 0f, threads: 1);
            job.RunShared();
            job.End();
        }
        Volatile.Write(ref finished, true);
        helper.Join();

        Assert.True(helped > 0, "the helper took no row item");
        Assert.Equal(expected, c);
    }
}
