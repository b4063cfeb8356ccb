using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>The AdamW update at every width against the textbook form in double.</summary>
public class AdamWTests
{
    public static TheoryData<SimdWidth, int> Cases() => WidthsAndSizes();

    private static readonly AdamWStep Step = new(1e-2f, 0.9f, 0.99f, 1e-8f, 0.1f, 3);

    private static (float[] P, float[] G, float[] M, float[] V) State(int n) =>
        (Normal(n, 81 + (ulong)n), Normal(n, 82), Normal(n, 83, std: 0.1f), Normal(n, 84, std: 0.1f).Select(MathF.Abs).ToArray());

    [Theory, MemberData(nameof(Cases))]
    public void UpdateMatchesDoubleReference(SimdWidth width, int n)
    {
        var (p1, g, m1, v1) = State(n);
        var (p2, m2, v2) = ((float[])p1.Clone(), (float[])m1.Clone(), (float[])v1.Clone());
        AdamW.Update(p1, g, m1, v1, Step, width);
        AdamW.Reference.Update(p2, g, m2, v2, Step);
        AssertClose(p2, p1, 3e-7, $"param {width}");
        AssertClose(m2, m1, 1e-7, $"m {width}");
        AssertClose(v2, v1, 1e-7, $"v {width}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void UpdateHasTheSameBitsAtEveryWidth(SimdWidth width, int n)
    {
        var (p1, g, m1, v1) = State(n);
        var (p2, m2, v2) = ((float[])p1.Clone(), (float[])m1.Clone(), (float[])v1.Clone());
        AdamW.Update(p1, g, m1, v1, Step, SimdWidth.Scalar);
        AdamW.Update(p2, g, m2, v2, Step, width);
        AssertSameBits(p1, p2, "param");
        AssertSameBits(m1, m2, "m");
        AssertSameBits(v1, v2, "v");
    }

    [Fact]
    public void PublicEntryPointRunsTheBestWidth()
    {
        var (p1, g, m1, v1) = State(1031);
        var (p2, m2, v2) = ((float[])p1.Clone(), (float[])m1.Clone(), (float[])v1.Clone());
        AdamW.Update(p1, g, m1, v1, Step);
        AdamW.Update(p2, g, m2, v2, Step, Simd.Best);
        AssertSameBits(p2, p1, "param");
        AssertSameBits(m2, m1, "m");
        AssertSameBits(v2, v1, "v");
    }
}
