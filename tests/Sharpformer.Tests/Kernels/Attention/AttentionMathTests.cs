using System.Runtime.Intrinsics;
using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

public class AttentionMathTests
{
    [Fact]
    public void Exp2IsWithinTwoPartsPerMillionOfTheTruth()
    {
        double worst = 0;
        for (double x = -100; x <= 20; x += 0.001953)
        {
            double expected = Math.Pow(2, (float)x);
            double actual = AttentionMath.Exp2((float)x);
            worst = Math.Max(worst, Math.Abs(actual - expected) / expected);
        }
        Assert.True(worst < 1e-6, $"worst relative error {worst:G3}");
    }

    [Fact]
    public void Exp2OfVeryNegativeInputsIsExactlyZero()
    {
        Assert.Equal(0f, AttentionMath.Exp2(float.NegativeInfinity));
        Assert.Equal(0f, AttentionMath.Exp2(-1000f));
        Assert.Equal(1f, AttentionMath.Exp2(0f));
        Assert.Equal(Vector512<float>.Zero, AttentionMath.Exp2(Vector512.Create(float.NegativeInfinity)));
    }
}
