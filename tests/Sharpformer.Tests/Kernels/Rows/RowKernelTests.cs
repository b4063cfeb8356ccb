using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>Fast row kernels against their plain double-precision references on odd sizes.</summary>
public class RowKernelTests
{
    public static TheoryData<int, int> OddSizes => new() { { 1, 1 }, { 3, 17 }, { 17, 3 }, { 65, 257 }, { 257, 65 } };

    private static float[] Random(int n, ulong seed, float std = 2f)
    {
        var a = new float[n];
        new Rng(seed).FillNormal(a, std);
        return a;
    }

    [Theory, MemberData(nameof(OddSizes))]
    public void SoftmaxMatchesReference(int rows, int n)
    {
        var x = Random(rows * n, 1);
        if (rows > 2) x.AsSpan(n, n).Fill(float.NegativeInfinity); // a fully masked row gives zeros
        var fast = new float[x.Length];
        var slow = new float[x.Length];
        Softmax.Forward(x, fast, rows, n);
        Softmax.Reference.Forward(x, slow, rows, n);
        AssertClose(slow, fast, 1e-6);

        var dy = Random(x.Length, 2);
        var dFast = Random(x.Length, 3);
        var dSlow = (float[])dFast.Clone();
        Softmax.Backward(fast, dy, dFast, rows, n);
        Softmax.Reference.Backward(slow, dy, dSlow, rows, n);
        AssertClose(dSlow, dFast, 1e-5);
    }

    [Theory, MemberData(nameof(OddSizes))]
    public void LayerNormMatchesReference(int rows, int c)
    {
        var x = Random(rows * c, 4);
        var g = Random(c, 5);
        var b = Random(c, 6);
        var fast = new float[x.Length];
        var slow = new float[x.Length];
        LayerNorm.Forward(x, g, b, fast, new float[rows], new float[rows], rows, c, 1e-5f);
        LayerNorm.Reference.Forward(x, g, b, slow, rows, c, 1e-5f);
        AssertClose(slow, fast, 2e-5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(257)]
    public void GeluMatchesReferenceAndItsDerivative(int n)
    {
        var x = Random(n, 7, 3f);
        x[0] = 30f; // saturated: tanh → 1 without overflow
        var y = new float[n];
        Gelu.Forward(x, y);
        for (int i = 0; i < n; i++) Assert.Equal(Gelu.Reference.Value(x[i]), y[i], 1e-5 * (1 + Math.Abs(y[i])));
        var ones = Enumerable.Repeat(1f, n).ToArray();
        var dx = new float[n];
        Gelu.Backward(x, ones, dx);
        for (int i = 0; i < n; i++)
        {
            double h = 1e-4, numeric = (Gelu.Reference.Value(x[i] + h) - Gelu.Reference.Value(x[i] - h)) / (2 * h);
            Assert.Equal(numeric, dx[i], 1e-4);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(257)]
    public void ExactGeluMatchesReferenceAndItsDerivative(int n)
    {
        var x = Random(n, 12, 3f);
        x[0] = -9f; // far tail: Φ → 0 without NaN
        var y = new float[n];
        GeluExact.Forward(x, y);
        for (int i = 0; i < n; i++) Assert.Equal(GeluExact.Reference.Value(x[i]), y[i], 2e-6 * (1 + Math.Abs(x[i])));
        var dx = Enumerable.Repeat(0.5f, n).ToArray();
        GeluExact.Backward(x, Enumerable.Repeat(1f, n).ToArray(), dx);
        for (int i = 0; i < n; i++)
        {
            double h = 1e-4, numeric = (GeluExact.Reference.Value(x[i] + h) - GeluExact.Reference.Value(x[i] - h)) / (2 * h);
            Assert.Equal(0.5 + numeric, dx[i], 2e-5);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(257)]
    public void AdamWMatchesReference(int n)
    {
        var step = new AdamWStep(1e-2f, 0.9f, 0.99f, 1e-8f, 0.1f, 3);
        var p1 = Random(n, 8); var g = Random(n, 9); var m1 = Random(n, 10, 0.1f);
        var v1 = Random(n, 11, 0.1f).Select(MathF.Abs).ToArray();
        var (p2, m2, v2) = ((float[])p1.Clone(), (float[])m1.Clone(), (float[])v1.Clone());
        AdamW.Update(p1, g, m1, v1, step);
        AdamW.Reference.Update(p2, g, m2, v2, step);
        AssertClose(p2, p1, 1e-5);
        AssertClose(m2, m1, 1e-6);
        AssertClose(v2, v1, 1e-6);
    }

    private static void AssertClose(float[] expected, float[] actual, double tol)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"[{i}] expected {expected[i]} got {actual[i]}");
    }
}
