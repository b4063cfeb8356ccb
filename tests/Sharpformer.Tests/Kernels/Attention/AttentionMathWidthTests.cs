using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>The softmax row pieces at every accelerated width against plain loops, on lengths around each vector size.</summary>
public unsafe class AttentionMathWidthTests
{
    private static readonly int[] Lengths = [0, 1, 3, 4, 7, 8, 15, 16, 17, 33, 65, 257];

    private static float[] Random(int n, ulong seed, float scale = 3f)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, scale);
        return x;
    }

    private static void Near(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    [Theory]
    [MemberData(nameof(AttentionTestCases.Widths), MemberType = typeof(AttentionTestCases))]
    public void MaxDotAndSumsMatchPlainLoops(SimdWidth width)
    {
        foreach (int n in Lengths)
        {
            var a = Random(n, 1);
            var b = Random(n, 2);
            // The largest element anywhere in the row, the tail included.
            if (n > 0) a[n - 1] = 100f;
            fixed (float* pa = a, pb = b)
            {
                Assert.Equal(n == 0 ? float.NegativeInfinity : a.Max(), AttentionMath.Max(width, pa, n));
                double dot = 0;
                for (int i = 0; i < n; i++) dot += (double)a[i] * b[i];
                Near(dot, AttentionMath.Dot(width, pa, pb, n), 1e-5 * Math.Max(1, n), $"dot n={n}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.Widths), MemberType = typeof(AttentionTestCases))]
    public void ExponentialsAndProbabilitiesMatchPlainLoops(SimdWidth width)
    {
        foreach (int n in Lengths)
        {
            var x = Random(n, 3);
            var row = (float[])x.Clone();
            float shift = 4f;
            fixed (float* p = row)
            {
                float sum = AttentionMath.Exp2InPlace(width, p, n, shift);
                double expectedSum = 0;
                for (int i = 0; i < n; i++)
                {
                    double e = Math.Pow(2, x[i] - shift);
                    expectedSum += e;
                    Near(e, row[i], 1e-6, $"exp2 n={n} [{i}]");
                }
                Near(expectedSum, sum, 1e-6, $"sum n={n}");
            }
            // P = 2^(S − lse) for the visible keys, exact zeros after them, whatever was there.
            for (int visible = 0; visible <= n; visible += Math.Max(1, n / 3))
            {
                row = (float[])x.Clone();
                fixed (float* p = row) AttentionMath.Probabilities(width, p, visible, n, shift);
                for (int i = 0; i < n; i++)
                    if (i < visible) Near(Math.Pow(2, x[i] - shift), row[i], 1e-6, $"P n={n} visible={visible} [{i}]");
                    else Assert.Equal(0f, row[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.Widths), MemberType = typeof(AttentionTestCases))]
    public void ElementwiseStepsMatchPlainLoops(SimdWidth width)
    {
        foreach (int n in Lengths)
        {
            var p = Random(n, 4);
            var dP = Random(n, 5);
            var dst = Random(n, 6);
            var (g, added, scaled) = ((float[])dP.Clone(), (float[])dst.Clone(), (float[])dst.Clone());
            fixed (float* pp = p, pg = g, pa = added, ps = scaled, pd = dP)
            {
                AttentionMath.SoftmaxGradient(width, pp, pg, n, delta: 0.25f, scale: 0.125f);
                AttentionMath.AddScaled(width, pa, pd, n, -1.5f);
                AttentionMath.Scale(width, ps, n, 0.75f);
            }
            for (int i = 0; i < n; i++)
            {
                Near(p[i] * (dP[i] - 0.25) * 0.125, g[i], 1e-6, $"gradient n={n} [{i}]");
                Near(dst[i] - 1.5 * dP[i], added[i], 1e-6, $"add n={n} [{i}]");
                Near(dst[i] * 0.75, scaled[i], 1e-6, $"scale n={n} [{i}]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AttentionTestCases.Widths), MemberType = typeof(AttentionTestCases))]
    public void RunningSoftmaxUpdateMatchesPlainLoop(SimdWidth width)
    {
        // 37 rows in buffers of 48: rows that saw no key before, none in this tile either, and ordinary ones.
        const int n = 37, stride = 48;
        var max = Random(stride, 7);
        var newMax = new float[stride];
        var sum = Random(stride, 8, 1f).Select(Math.Abs).ToArray();
        var tileSum = Random(stride, 9, 1f).Select(Math.Abs).ToArray();
        for (int r = 0; r < stride; r++)
        {
            if (r % 5 == 0) { max[r] = float.NegativeInfinity; sum[r] = 0f; }
            newMax[r] = r % 10 == 0 ? float.NegativeInfinity : Math.Max(max[r], r * 0.1f);
        }
        var (m, s, rescale) = ((float[])max.Clone(), (float[])sum.Clone(), new float[stride]);
        fixed (float* pm = m, pn = newMax, ps = s, pt = tileSum, pr = rescale)
            AttentionMath.UpdateRunningSoftmax(width, pm, pn, ps, pt, pr, n);
        for (int r = 0; r < n; r++)
        {
            double expectedScale = float.IsNegativeInfinity(newMax[r]) ? 1 : Math.Pow(2, max[r] - newMax[r]);
            Near(expectedScale, rescale[r], 1e-6, $"rescale [{r}]");
            Near(sum[r] * expectedScale + tileSum[r], s[r], 1e-6, $"sum [{r}]");
            Assert.Equal(newMax[r], m[r]);
        }
    }
}
