using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

/// <summary>
/// The exact attention kernels (materialised and tiled) run at every accelerated width against the
/// double-precision reference, on the shapes of <see cref="AttentionTestCases"/>; and the public entry points run
/// the widest accelerated path.
/// </summary>
public class AttentionWidthTests
{
    [Theory]
    [MemberData(nameof(AttentionTestCases.ShapesAtEveryWidth), MemberType = typeof(AttentionTestCases))]
    public void FlashMatchesReferenceAtEveryWidth(SimdWidth width, int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionTestCases.Shape(batch, heads, tq, tk, hs, causal);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 31);
        var (expected, dQr, dKr, dVr) = Reference(q, k, v, dO, keyLengths, shape);

        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse, width);
        var (dQ, dK, dV) = (Filled(q.Length), Filled(k.Length), Filled(v.Length));
        FlashAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV, width);

        // Gradients of a row with one visible key are 0 in exact arithmetic: fp32 leaves ~1e-7 there.
        AttentionTestCases.AssertClose(expected, o, $"{width} O", absolute: 1e-6);
        AttentionTestCases.AssertClose(dQr, dQ, $"{width} dQ", absolute: 1e-6);
        AttentionTestCases.AssertClose(dKr, dK, $"{width} dK", absolute: 1e-6);
        AttentionTestCases.AssertClose(dVr, dV, $"{width} dV", absolute: 1e-6);
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.ShapesAtEveryWidth), MemberType = typeof(AttentionTestCases))]
    public void FullMatchesReferenceAtEveryWidth(SimdWidth width, int batch, int heads, int tq, int tk, int hs, bool causal, int[] keyLengths)
    {
        var shape = AttentionTestCases.Shape(batch, heads, tq, tk, hs, causal);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 32);
        var (expected, dQr, dKr, dVr) = Reference(q, k, v, dO, keyLengths, shape);

        var (probs, o) = (Filled(shape.ScoreSize), new float[shape.QuerySize]);
        FullAttention.Forward(q, k, v, keyLengths, shape, probs, o, width);
        var (dQ, dK, dV) = (Filled(q.Length), Filled(k.Length), Filled(v.Length));
        FullAttention.Backward(q, k, v, probs, dO, keyLengths, shape, dQ, dK, dV, width);

        AttentionTestCases.AssertClose(expected, o, $"{width} O", absolute: 1e-6);
        AttentionTestCases.AssertClose(dQr, dQ, $"{width} dQ", absolute: 1e-6);
        AttentionTestCases.AssertClose(dKr, dK, $"{width} dK", absolute: 1e-6);
        AttentionTestCases.AssertClose(dVr, dV, $"{width} dV", absolute: 1e-6);
        // Every probability row sums to 1 over its visible keys and is exactly 0 past them.
        for (int bh = 0; bh < shape.BatchHeads; bh++)
            for (int i = 0; i < tq; i++)
            {
                int visible = shape.VisibleKeys(i, shape.KeyLengthOf(keyLengths, bh / heads));
                var row = probs.AsSpan((bh * tq + i) * tk, tk);
                Assert.All(row[visible..].ToArray(), p => Assert.Equal(0f, p));
                if (visible > 0) Assert.InRange(row[..visible].ToArray().Sum(), 1 - 1e-5, 1 + 1e-5);
            }
    }

    /// <summary>One shape on the row path (Tq ≤ 8) and one on the tiled path, with padding and a causal mask.</summary>
    public static TheoryData<int, int> PathShapes => new() { { 5, 70 }, { 70, 70 } };

    [Theory]
    [MemberData(nameof(PathShapes))]
    public void PublicEntryPointsRunTheWidestAcceleratedPath(int tq, int tk)
    {
        var shape = AttentionTestCases.Shape(2, 2, tq, tk, 17, causal: true);
        var (q, k, v, dO) = AttentionTestCases.Inputs(shape, 33);
        int[] keyLengths = [tk, tk - 9];
        float[][] Run(SimdWidth? width)
        {
            var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
            var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
            if (width is SimdWidth w)
            {
                FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse, w);
                FlashAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV, w);
            }
            else
            {
                FlashAttention.Forward(q, k, v, keyLengths, shape, o, lse);
                FlashAttention.Backward(q, k, v, o, lse, dO, keyLengths, shape, dQ, dK, dV);
            }
            return [o, lse, dQ, dK, dV];
        }
        var chosen = Run(null);
        var best = Run(Simd.Best);
        for (int i = 0; i < chosen.Length; i++) Assert.Equal(best[i], chosen[i]);
    }

    [Fact]
    public void WidthsThatAreNotAcceleratedAreRefused()
    {
        var shape = AttentionTestCases.Shape(1, 1, 3, 3, 8, causal: false);
        var (q, k, v, _) = AttentionTestCases.Inputs(shape, 34);
        var (o, lse) = (new float[shape.QuerySize], new float[shape.RowCount]);
        // With DOTNET_EnableAVX512=0 or DOTNET_EnableHWIntrinsic=0 some widths are not accelerated: asking for them is an error.
        foreach (var width in Enum.GetValues<SimdWidth>().Where(w => !Simd.IsAccelerated(w)))
        {
            var ex = Assert.Throws<ArgumentException>(() => FlashAttention.Forward(q, k, v, [], shape, o, lse, width));
            Assert.Equal("width", ex.ParamName);
        }
        FlashAttention.Forward(q, k, v, [], shape, o, lse, SimdWidth.Scalar);
    }

    private static (float[] O, float[] DQ, float[] DK, float[] DV) Reference(float[] q, float[] k, float[] v, float[] dO, int[] keyLengths,
        in AttentionShape shape)
    {
        var o = new float[shape.QuerySize];
        AttentionReference.Forward(q, k, v, keyLengths, shape, o);
        var (dQ, dK, dV) = (new float[q.Length], new float[k.Length], new float[v.Length]);
        AttentionReference.Backward(q, k, v, dO, keyLengths, shape, dQ, dK, dV);
        return (o, dQ, dK, dV);
    }

    private static float[] Filled(long n) => Enumerable.Repeat(123f, (int)n).ToArray();
}
