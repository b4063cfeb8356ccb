using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>ReLU forward and backward against the plain loops (which are exact, so the bits must match).</summary>
public class ReluTests
{
    public static TheoryData<SimdWidth, int> Cases() => WidthsAndSizes();

    private static float[] Inputs(int n)
    {
        var x = Normal(n, 71 + (ulong)n);
        for (int i = 1; i < n; i += 7) x[i] = 0f; // x = 0 passes no gradient
        if (n > 4) x[4] = -0f;
        return x;
    }

    public static TheoryData<int> Lengths() => [.. Sizes];

    /// <summary>The forward pass is TensorPrimitives', which picks its width itself.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void ForwardIsMaxWithZero(int n)
    {
        var x = Inputs(n);
        var y = new float[n];
        Relu.Forward(x, y);
        for (int i = 0; i < n; i++) Assert.Equal(x[i] > 0 ? x[i] : 0f, y[i]);
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardMatchesThePlainLoopBitForBit(SimdWidth width, int n)
    {
        var x = Inputs(n);
        var dy = Normal(n, 72);
        var dx = Normal(n, 73);
        if (n > 5) { dx[5] = -0f; x[5] = -1f; } // an untouched −0 stays −0
        var expected = (float[])dx.Clone();
        for (int i = 0; i < n; i++) if (x[i] > 0) expected[i] += dy[i];
        Relu.Backward(x, dy, dx, width);
        AssertSameBits(expected, dx, $"relu backward {width}");
    }

    [Fact]
    public void PublicEntryPointRunsTheBestWidth()
    {
        var x = Inputs(1031);
        var dy = Normal(x.Length, 74);
        var (a, b) = (Normal(x.Length, 75), Normal(x.Length, 75));
        Relu.Backward(x, dy, a);
        Relu.Backward(x, dy, b, Simd.Best);
        AssertSameBits(b, a, "backward");
    }
}
