using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>
/// Shared inputs and checks for the row and elementwise kernels: every width this process runs in hardware
/// (so one run covers the Vector512, Vector256, Vector128 and scalar paths where the CPU has them) times odd
/// lengths that leave a scalar tail at every width.
/// </summary>
internal static class RowTestData
{
    /// <summary>Odd lengths: shorter than any vector, one tail element past a vector, and one past a thousand.</summary>
    public static readonly int[] Sizes = [1, 3, 17, 65, 257, 1031];

    public static TheoryData<SimdWidth, int> WidthsAndSizes()
    {
        var data = new TheoryData<SimdWidth, int>();
        foreach (var w in Simd.Accelerated)
        foreach (int n in Sizes)
            data.Add(w, n);
        return data;
    }

    public static TheoryData<SimdWidth> Widths()
    {
        var data = new TheoryData<SimdWidth>();
        foreach (var w in Simd.Accelerated) data.Add(w);
        return data;
    }

    /// <summary>Rows of each odd length: three rows (two past a thousand) so a row's tail is followed by another row.</summary>
    public static int RowsFor(int n) => n >= 1000 ? 2 : 3;

    public static float[] Normal(int n, ulong seed, float std = 2f, float mean = 0f)
    {
        var a = new float[n];
        new Rng(seed).FillNormal(a, std, mean);
        return a;
    }

    /// <summary>Asserts |expected − actual| ≤ tol·(1 + |expected|) everywhere, naming the worst element.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / (1 + Math.Abs(expected[i]));
            if (!(err <= worst)) { worst = err; at = i; }
        }
        Assert.True(worst <= tol, $"{what}: worst error {worst:E2} (tolerance {tol:E1}) at [{at}]: expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}");
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        AssertClose(e, actual, tol, what);
    }

    /// <summary>Asserts the two buffers hold the same bits (so −0 ≠ +0 and NaN payloads count).</summary>
    public static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: [{i}] {expected[i]:R} vs {actual[i]:R}");
    }
}
