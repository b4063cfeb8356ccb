using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>The oracle itself: its backward against central finite differences of its forward, in double.</summary>
public class AttentionReferenceTests
{
    [Theory]
    [InlineData(2, 1, 3, 5, 4, true, new[] { 5, 3 })]
    [InlineData(1, 2, 4, 4, 3, false, new int[0])]
    [InlineData(1, 1, 6, 3, 5, true, new int[0])]   // Tq > Tk causal: three rows see nothing
    [InlineData(2, 1, 1, 7, 4, true, new[] { 7, 0 })] // decode step; batch item 1 fully padded
    public void BackwardMatchesFiniteDifferences(int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionShape.Create(batch, heads, tq, tk, hs, causal);
        var rng = new Rng(31);
        double[] Random(long n) => Enumerable.Range(0, (int)n).Select(_ => rng.NextNormal()).ToArray();
        var (q, k, v, dO) = (Random(shape.QuerySize), Random(shape.KeySize), Random(shape.KeySize), Random(shape.QuerySize));
        var (dQ, dK, dV) = (new double[q.Length], new double[k.Length], new double[v.Length]);
        AttentionReference.Backward(q, k, v, dO, keyLengths, shape, dQ, dK, dV);

        // loss = Σ dO ⊙ O, so its gradient is exactly what Backward returns.
        double Loss()
        {
            var o = new double[shape.QuerySize];
            AttentionReference.Forward(q, k, v, keyLengths, shape, o);
            double sum = 0;
            for (int i = 0; i < o.Length; i++) sum += dO[i] * o[i];
            return sum;
        }
        void Check(double[] x, double[] grad, string name)
        {
            const double h = 1e-5;
            for (int i = 0; i < x.Length; i++)
            {
                double saved = x[i];
                x[i] = saved + h; double up = Loss();
                x[i] = saved - h; double down = Loss();
                x[i] = saved;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-7 + 1e-6 * Math.Abs(numeric), $"{name}[{i}]: analytic {grad[i]}, numeric {numeric}");
            }
        }
        Check(q, dQ, "dQ");
        Check(k, dK, "dK");
        Check(v, dV, "dV");
    }

    [Fact]
    public void DecodeStepSeesEveryKeyAndCausalAlignsTheEnds()
    {
        var shape = AttentionShape.Create(1, 1, 1, 9, 4, causal: true);
        Assert.Equal(9, shape.VisibleKeys(0, 9));
        var cross = AttentionShape.Create(1, 1, 4, 6, 4, causal: true);
        Assert.Equal(3, cross.VisibleKeys(0, 6));
        Assert.Equal(6, cross.VisibleKeys(3, 6));
        Assert.Equal(5, cross.VisibleKeys(3, 5));
        var longer = AttentionShape.Create(1, 1, 6, 3, 4, causal: true);
        Assert.Equal(0, longer.VisibleKeys(2, 3));
        Assert.Equal(1, longer.VisibleKeys(3, 3));
    }
}
