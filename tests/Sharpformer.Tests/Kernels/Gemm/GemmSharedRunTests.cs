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
    public void RowItemsTakenByAnotherThread_GiveTheSameBitsAsOneThread(bool transA, bool transB)
    {
        // Four K blocks and two N blocks: the helper takes items of every block, and the owner must not
        // start a block before the helper's items of the one before are done, or C gets the wrong sums.
        const int m = 300, n = 600, k = 2000;
        var rng = new Rng(13);
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] expected = new float[m * n];
        using (GemmCheck.Threads(1)) Gemm.Multiply(transA, transB, m, n, k, a, lda, b, ldb, expected, n);

        // Whether the helper gets a core while the owner runs is up to the scheduler (on a loaded machine it may
        // not): every run must give the same bits, and the runs go on until one has had help, at most ten.
        bool helped = false;
        for (int run = 0; run < 10 && !helped; run++)
        {
            float[] c = new float[m * n];
            helped = RunWithHelper(transA, transB, m, n, k, a, lda, b, ldb, c) > 0;
            Assert.Equal(expected, c);
        }
        Assert.True(helped, "the helper took no row item in ten runs");
    }

    /// <summary>One product run by this thread with a second thread helping as it can; returns the row items it took.</summary>
    private static unsafe int RunWithHelper(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c)
    {
        var job = new GemmJob();
        int helped = 0;
        bool finished = false;
        using var started = new ManualResetEventSlim();
        var helper = new Thread(() =>
        {
            started.Set();
            while (!Volatile.Read(ref finished))
                if (job.TryHelp()) helped++;
        });
        helper.Start();
        started.Wait();
        fixed (float* pa = a, pb = b, pc = c)
        {
            job.Begin(GemmBlocking.For(Simd.Best), transA, transB, m, n, k, pa, lda, pb, ldb, pc, n, 1f, 0f, threads: 1);
            job.RunShared();
            job.End();
        }
        Volatile.Write(ref finished, true);
        helper.Join();
        return helped;
    }
}
