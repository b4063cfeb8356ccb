using System.Runtime.Intrinsics;
using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>Sigmoid and Erf (Kernels/Functions), which the GELUs use, at every width against double precision.</summary>
public class VectorFunctionTests
{
    public static TheoryData<SimdWidth> AllWidths() => Widths();

    /// <summary>Applies the overload for <paramref name="width"/> to whole vectors of x and the scalar one to the tail.</summary>
    private static float[] Apply(SimdWidth width, float[] x,
        Func<Vector512<float>, Vector512<float>> f512, Func<Vector256<float>, Vector256<float>> f256,
        Func<Vector128<float>, Vector128<float>> f128, Func<float, float> f1)
    {
        Simd.Require(width);
        var y = new float[x.Length];
        int i = 0, lanes = width == SimdWidth.Scalar ? 1 : (int)width / 32;
        for (; width != SimdWidth.Scalar && i + lanes <= x.Length; i += lanes)
        {
            var s = x.AsSpan(i, lanes);
            var d = y.AsSpan(i, lanes);
            switch (width)
            {
                case SimdWidth.V512: f512(Vector512.Create((ReadOnlySpan<float>)s)).CopyTo(d); break;
                case SimdWidth.V256: f256(Vector256.Create((ReadOnlySpan<float>)s)).CopyTo(d); break;
                default: f128(Vector128.Create((ReadOnlySpan<float>)s)).CopyTo(d); break;
            }
        }
        for (; i < x.Length; i++) y[i] = f1(x[i]);
        return y;
    }

    /// <summary>A sweep of [−12, 12] in steps of 1/64, the ends and zeros, plus random values.</summary>
    private static float[] Inputs()
    {
        var x = new List<float> { 0f, -0f, 1e-30f, -1e-30f, 50f, -50f, 1e6f, -1e6f };
        for (int k = -12 * 64; k <= 12 * 64; k++) x.Add(k / 64f);
        x.AddRange(Normal(1031, 111, std: 3f));
        return [.. x];
    }

    [Theory, MemberData(nameof(AllWidths))]
    public void SigmoidHasRelativeErrorAndTheScalarBits(SimdWidth width)
    {
        var x = Inputs();
        var y = Apply(width, x, z => Sigmoid.Of(z), z => Sigmoid.Of(z), z => Sigmoid.Of(z), z => Sigmoid.Of(z));
        var q = Apply(width, x, z => { Sigmoid.Of(z, out var e); return e; }, z => { Sigmoid.Of(z, out var e); return e; },
            z => { Sigmoid.Of(z, out var e); return e; }, z => { Sigmoid.Of(z, out var e); return e; });
        for (int i = 0; i < x.Length; i++)
        {
            double z = x[i];
            if (z < -87) { Assert.Equal(MathF.Pow(2, -126), y[i]); continue; } // e^{−z} is capped at 2¹²⁶
            double s = 1 / (1 + Math.Exp(-z)), e = Math.Exp(-z);
            // relative: 2e-7 from 2ˣ and the division, 1e-7·|z| from rounding the exponent
            Assert.True(Math.Abs(s - y[i]) <= (3e-7 + 1.5e-7 * Math.Abs(z)) * s, $"σ({z}) = {s}, got {y[i]}");
            Assert.True(Math.Abs(e - q[i]) <= (3e-7 + 1.5e-7 * Math.Abs(z)) * e + 1e-38, $"e^-{z} = {e}, got {q[i]}");
        }
        AssertSameBits(x.Select(v => Sigmoid.Of(v)).ToArray(), y, $"{width} vs scalar");
    }

    [Theory, MemberData(nameof(AllWidths))]
    public void ErfHasAbsoluteErrorBelow4e7AndTheScalarBits(SimdWidth width)
    {
        var x = Inputs();
        var y = Apply(width, x, z => Erf.Of(z), z => Erf.Of(z), z => Erf.Of(z), z => Erf.Of(z));
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(GeluExact.Reference.Erf(x[i]) - y[i]) <= 4e-7, $"erf({x[i]}) = {GeluExact.Reference.Erf(x[i])}, got {y[i]}");
        // Where e^{−z²} is still a normal float (|z| below about 9.3) every width gives the scalar bits.
        var normal = x.Select((v, i) => (v, i)).Where(p => Math.Abs(p.v) < 9.3f).Select(p => p.i).ToArray();
        var scalar = x.Select(v => Erf.Of(v)).ToArray();
        AssertSameBits(normal.Select(i => scalar[i]).ToArray(), normal.Select(i => y[i]).ToArray(), $"{width} vs scalar");
    }

    [Theory, MemberData(nameof(AllWidths))]
    public void ErfHandsBackTheGaussian(SimdWidth width)
    {
        var x = Inputs();
        float[] gaussian = new float[x.Length];
        for (int i = 0; i < x.Length; i++) Erf.Of(x[i], out gaussian[i]);
        var g = Apply(width, x, z => { Erf.Of(z, out var e); return e; }, z => { Erf.Of(z, out var e); return e; },
            z => { Erf.Of(z, out var e); return e; }, z => { Erf.Of(z, out var e); return e; });
        for (int i = 0; i < x.Length; i++)
        {
            double e = Math.Exp(-(double)x[i] * x[i]);
            Assert.True(Math.Abs(e - g[i]) <= 3e-7 * (1 + (double)x[i] * x[i]) * e + 1e-37, $"e^-({x[i]})² = {e}, got {g[i]}");
        }
    }
}
