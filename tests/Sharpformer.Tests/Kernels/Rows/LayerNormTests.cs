using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>
/// LayerNorm forward and backward against double-precision loops. Every pass of the kernel is a
/// TensorPrimitives call, which picks its width itself, so there is no width to pass: the runs with
/// DOTNET_EnableAVX512=0 and DOTNET_EnableHWIntrinsic=0 cover the narrower paths.
/// </summary>
public class LayerNormTests
{
    public static TheoryData<int, bool> Cases()
    {
        var data = new TheoryData<int, bool>();
        foreach (int c in Sizes)
        foreach (bool bias in new[] { true, false })
            data.Add(c, bias);
        return data;
    }

    private const float Eps = 1e-5f;

    /// <summary>
    /// The row mean is one fp32 sum of c values (mean 3 here), whose error grows with c; TensorPrimitives'
    /// vector paths keep several partial sums, its scalar path (DOTNET_EnableHWIntrinsic=0) one, which at
    /// c = 1031 reaches about 1e-5 in x̂ (and 4e-6 in dGamma at c = 257).
    /// </summary>
    private static double Tolerance(int c) => 2e-6 + 4e-8 * c;

    [Theory, MemberData(nameof(Cases))]
    public void ForwardMatchesDoubleReference(int c, bool bias)
    {
        int rows = RowsFor(c);
        var x = Normal(rows * c, 91 + (ulong)c, std: 2f, mean: 3f); // an offset mean: the two-pass variance matters
        var g = Normal(c, 92);
        var b = bias ? Normal(c, 93) : [];
        var (fast, slow) = (new float[x.Length], new float[x.Length]);
        var (mean, rstd) = (new float[rows], new float[rows]);
        LayerNorm.Forward(x, g, b, fast, mean, rstd, rows, c, Eps);
        LayerNorm.Reference.Forward(x, g, b, slow, rows, c, Eps);
        AssertClose(slow, fast, Tolerance(c), "y");
        for (int r = 0; r < rows; r++)
        {
            var xr = x.AsSpan(r * c, c).ToArray();
            double m = xr.Average(v => (double)v), variance = xr.Average(v => (v - m) * (v - m));
            Assert.Equal(m, mean[r], Tolerance(c) * (1 + Math.Abs(m)));
            double s = 1 / Math.Sqrt(variance + Eps);
            Assert.Equal(s, rstd[r], Tolerance(c) * s);
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardMatchesDoubleReference(int c, bool bias)
    {
        int rows = RowsFor(c);
        var x = Normal(rows * c, 94 + (ulong)c, std: 2f, mean: 3f);
        var g = Normal(c, 95);
        var dy = Normal(x.Length, 96);
        var (mean, rstd) = (new float[rows], new float[rows]);
        LayerNorm.Forward(x, g, bias ? Normal(c, 97) : [], new float[x.Length], mean, rstd, rows, c, Eps);
        foreach (bool accumulate in new[] { true, false })
        {
            var dx = Normal(x.Length, 98);
            var dGamma = Normal(c, 99);
            var dBeta = bias ? Normal(c, 100) : [];
            var (dxSlow, dGammaSlow, dBetaSlow) = ((float[])dx.Clone(), (float[])dGamma.Clone(), (float[])dBeta.Clone());
            LayerNorm.Backward(x, g, mean, rstd, dy, dx, dGamma, dBeta, rows, c, accumulate);
            LayerNorm.Reference.Backward(x, g, dy, dxSlow, dGammaSlow, dBetaSlow, rows, c, Eps, accumulate);
            AssertClose(dxSlow, dx, Tolerance(c), $"dX accumulate={accumulate}");
            AssertClose(dGammaSlow, dGamma, Tolerance(c), "dGamma");
            AssertClose(dBetaSlow, dBeta, 1e-6, "dBeta");
        }
    }
}
