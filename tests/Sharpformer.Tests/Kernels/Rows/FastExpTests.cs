using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>FastExp (e^(x − shift) over a span and its sum) at every width against Math.Exp in double.</summary>
public class FastExpTests
{
    public static TheoryData<SimdWidth, int> Cases() => WidthsAndSizes();

    private static float[] Inputs(int n, out float shift)
    {
        var x = Normal(n, 21 + (ulong)n, std: 3f);
        if (n > 2) x[2] = float.NegativeInfinity; // a masked position gives exactly 0
        shift = n == 1 ? x[0] : x.Max();
        return x;
    }

    [Theory, MemberData(nameof(Cases))]
    public void ExpShiftedMatchesDoubleReference(SimdWidth width, int n)
    {
        var x = Inputs(n, out float shift);
        var y = new float[n];
        float sum = FastExp.ExpShifted(x, shift, y, width);
        double expectedSum = 0;
        for (int i = 0; i < n; i++)
        {
            double arg = (double)x[i] - shift, e = Math.Exp(arg);
            expectedSum += e;
            // 2ˣ is good to about 2e-7 relative; rounding x − shift and the scaling by log₂e adds ~1e-7·|arg| in the exponent.
            double tol = 4e-7 * (1 + Math.Abs(double.IsInfinity(arg) ? 0 : arg)) * e + 1e-30;
            Assert.True(Math.Abs(y[i] - e) <= tol, $"[{i}] e^{arg} = {e}, got {y[i]}");
        }
        Assert.Equal(expectedSum, sum, 3e-6 * expectedSum);
    }

    [Theory, MemberData(nameof(Cases))]
    public void SumWithoutStoringIsTheSameSum(SimdWidth width, int n)
    {
        var x = Inputs(n, out float shift);
        float stored = FastExp.ExpShifted(x, shift, new float[n], width);
        Assert.Equal(BitConverter.SingleToInt32Bits(stored), BitConverter.SingleToInt32Bits(FastExp.SumExpShifted(x, shift, width)));
    }

    [Theory, MemberData(nameof(Cases))]
    public void ValuesHaveTheSameBitsAtEveryWidthAndInPlace(SimdWidth width, int n)
    {
        var x = Inputs(n, out float shift);
        var scalar = new float[n];
        FastExp.ExpShifted(x, shift, scalar, SimdWidth.Scalar);
        var y = (float[])x.Clone();
        FastExp.ExpShifted(y, shift, y, width);
        AssertSameBits(scalar, y, $"{width} vs scalar");
    }

    [Fact]
    public void PublicEntryPointRunsTheBestWidth()
    {
        var x = Inputs(1031, out float shift);
        var (a, b) = (new float[x.Length], new float[x.Length]);
        float sa = FastExp.ExpShifted(x, shift, a);
        float sb = FastExp.ExpShifted(x, shift, b, Simd.Best);
        AssertSameBits(b, a, "ExpShifted");
        Assert.Equal(sb, sa);
        Assert.Equal(FastExp.SumExpShifted(x, shift, Simd.Best), FastExp.SumExpShifted(x, shift));
    }
}
