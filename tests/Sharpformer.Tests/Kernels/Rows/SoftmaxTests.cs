using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>Softmax forward and backward at every width against plain double-precision loops.</summary>
public class SoftmaxTests
{
    public static TheoryData<SimdWidth, int> Cases() => WidthsAndSizes();

    /// <summary>Rows of logits; the second row is fully masked (−∞), the first has a masked tail.</summary>
    private static float[] Logits(int rows, int n)
    {
        var x = Normal(rows * n, 31 + (ulong)n, std: 3f);
        if (rows > 1) x.AsSpan(n, n).Fill(float.NegativeInfinity);
        if (n > 2) x.AsSpan(n / 2 + 1, n - n / 2 - 1).Fill(float.NegativeInfinity);
        return x;
    }

    [Theory, MemberData(nameof(Cases))]
    public void ForwardMatchesDoubleReference(SimdWidth width, int n)
    {
        int rows = RowsFor(n);
        var x = Logits(rows, n);
        var fast = new float[x.Length];
        var slow = new float[x.Length];
        Softmax.Forward(x, fast, rows, n, width);
        Softmax.Reference.Forward(x, slow, rows, n);
        AssertClose(slow, fast, 3e-7, $"softmax {width}");
        Assert.All(fast.AsSpan(n, rows > 1 ? n : 0).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory, MemberData(nameof(Cases))]
    public void RowInPlaceIsTheSameAsOutOfPlace(SimdWidth width, int n)
    {
        var x = Logits(1, n);
        var y = new float[n];
        Softmax.Row(x, y, width);
        Softmax.Row(x, x, width);
        AssertSameBits(y, x, "in place");
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardMatchesDoubleReference(SimdWidth width, int n)
    {
        int rows = RowsFor(n);
        var y = new float[rows * n];
        Softmax.Reference.Forward(Logits(rows, n), y, rows, n);
        var dy = Normal(y.Length, 32);
        var dFast = Normal(y.Length, 33);
        var dSlow = (float[])dFast.Clone();
        Softmax.Backward(y, dy, dFast, rows, n, width);
        Softmax.Reference.Backward(y, dy, dSlow, rows, n);
        AssertClose(dSlow, dFast, 3e-7, $"softmax backward {width}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardHasTheSameBitsAtEveryWidth(SimdWidth width, int n)
    {
        int rows = RowsFor(n);
        var y = new float[rows * n];
        Softmax.Forward(Logits(rows, n), y, rows, n);
        var dy = Normal(y.Length, 34);
        var scalar = Normal(y.Length, 35);
        var dx = (float[])scalar.Clone();
        Softmax.Backward(y, dy, scalar, rows, n, SimdWidth.Scalar);
        Softmax.Backward(y, dy, dx, rows, n, width);
        AssertSameBits(scalar, dx, $"{width} vs scalar");
    }

    [Fact]
    public void PublicEntryPointsRunTheBestWidth()
    {
        const int rows = 3, n = 1031;
        var x = Logits(rows, n);
        var (a, b) = (new float[x.Length], new float[x.Length]);
        Softmax.Forward(x, a, rows, n);
        Softmax.Forward(x, b, rows, n, Simd.Best);
        AssertSameBits(b, a, "forward");
        var r = new float[n];
        Softmax.Row(x.AsSpan(0, n), r);
        AssertSameBits(b.AsSpan(0, n), r, "row");

        var dy = Normal(x.Length, 36);
        var (da, db) = (Normal(x.Length, 37), Normal(x.Length, 37));
        Softmax.Backward(a, dy, da, rows, n);
        Softmax.Backward(a, dy, db, rows, n, Simd.Best);
        AssertSameBits(db, da, "backward");
    }
}
