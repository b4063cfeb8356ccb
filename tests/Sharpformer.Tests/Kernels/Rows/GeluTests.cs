using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>
/// Both GELUs (the tanh form and the exact x·Φ(x)), forward and backward, at every width against their
/// double-precision forms and derivatives; and the same bits at every width.
/// </summary>
public class GeluTests
{
    public static TheoryData<SimdWidth, int> Cases() => WidthsAndSizes();

    private delegate void Forward(ReadOnlySpan<float> x, Span<float> y, SimdWidth width);
    private delegate void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX, bool accumulate, SimdWidth width);

    /// <summary>Inputs of std 3 with the saturated ends and zero planted where the length allows.</summary>
    private static float[] Inputs(int n, ulong seed)
    {
        var x = Normal(n, seed + (ulong)n, std: 3f);
        float[] special = [30f, -30f, 0f, -9f, 9f, -0f];
        for (int i = 0; i < special.Length && 3 * i < n; i++) x[3 * i] = special[i];
        return x;
    }

    private static void CheckForward(Forward forward, Func<double, double> reference, SimdWidth width, int n, double tol)
    {
        var x = Inputs(n, 51);
        var y = new float[n];
        forward(x, y, width);
        AssertClose(x.Select(v => reference(v)).ToArray(), y, tol, $"{forward.Method.DeclaringType!.Name} forward {width}");
    }

    private static void CheckBackward(Backward backward, Func<double, double> derivative, SimdWidth width, int n, double tol)
    {
        var x = Inputs(n, 52);
        var dy = Normal(n, 53);
        var dx0 = Normal(n, 54);
        foreach (bool accumulate in new[] { true, false })
        {
            var dx = (float[])dx0.Clone();
            backward(x, dy, dx, accumulate, width);
            var expected = new double[n];
            for (int i = 0; i < n; i++) expected[i] = (accumulate ? dx0[i] : 0) + dy[i] * derivative(x[i]);
            AssertClose(expected, dx, tol, $"{backward.Method.DeclaringType!.Name} backward {width} accumulate={accumulate}");
        }
    }

    private static void CheckSameBits(Forward forward, Backward backward, SimdWidth width, int n)
    {
        var x = Inputs(n, 55);
        var (ys, y) = (new float[n], new float[n]);
        forward(x, ys, SimdWidth.Scalar);
        forward(x, y, width);
        AssertSameBits(ys, y, $"forward {width} vs scalar");
        var dy = Normal(n, 56);
        foreach (bool accumulate in new[] { true, false })
        {
            var (ds, d) = (Normal(n, 57), Normal(n, 57));
            backward(x, dy, ds, accumulate, SimdWidth.Scalar);
            backward(x, dy, d, accumulate, width);
            AssertSameBits(ds, d, $"backward {width} vs scalar, accumulate={accumulate}");
        }
    }

    // Tanh form, computed as x·σ(2u): σ is good to a few 1e-7 relative, so y and the derivative are too.
    [Theory, MemberData(nameof(Cases))]
    public void TanhFormForwardMatchesDoubleReference(SimdWidth width, int n) =>
        CheckForward(Gelu.Forward, Gelu.Reference.Value, width, n, 4e-7);

    [Theory, MemberData(nameof(Cases))]
    public void TanhFormBackwardMatchesDoubleDerivative(SimdWidth width, int n) =>
        CheckBackward(Gelu.Backward, Gelu.Reference.Derivative, width, n, 8e-7);

    [Theory, MemberData(nameof(Cases))]
    public void TanhFormHasTheSameBitsAtEveryWidth(SimdWidth width, int n) =>
        CheckSameBits(Gelu.Forward, Gelu.Backward, width, n);

    // Exact form: erf's absolute error (about 3.5e-7 in fp32) is halved in Φ, then scaled by |x| in y and by |dY| in dX.
    [Theory, MemberData(nameof(Cases))]
    public void ExactFormForwardMatchesDoubleReference(SimdWidth width, int n) =>
        CheckForward(GeluExact.Forward, GeluExact.Reference.Value, width, n, 1e-6);

    [Theory, MemberData(nameof(Cases))]
    public void ExactFormBackwardMatchesDoubleDerivative(SimdWidth width, int n) =>
        CheckBackward(GeluExact.Backward, GeluExact.Reference.Derivative, width, n, 1.5e-6);

    [Theory, MemberData(nameof(Cases))]
    public void ExactFormHasTheSameBitsAtEveryWidth(SimdWidth width, int n) =>
        CheckSameBits(GeluExact.Forward, GeluExact.Backward, width, n);

    [Fact]
    public void PublicEntryPointsRunTheBestWidth()
    {
        var x = Inputs(1031, 58);
        var dy = Normal(x.Length, 59);
        foreach (var (forward, backward, publicForward, publicBackward) in new (Forward, Backward, Action<float[], float[]>, Action<float[], float[], float[], bool>)[]
        {
            (Gelu.Forward, Gelu.Backward, (a, b) => Gelu.Forward(a, b), (a, b, c, acc) => Gelu.Backward(a, b, c, acc)),
            (GeluExact.Forward, GeluExact.Backward, (a, b) => GeluExact.Forward(a, b), (a, b, c, acc) => GeluExact.Backward(a, b, c, acc)),
        })
        {
            var (y1, y2) = (new float[x.Length], new float[x.Length]);
            publicForward(x, y1);
            forward(x, y2, Simd.Best);
            AssertSameBits(y2, y1, "forward");
            foreach (bool accumulate in new[] { true, false })
            {
                var (d1, d2) = (Normal(x.Length, 60), Normal(x.Length, 60));
                publicBackward(x, dy, d1, accumulate);
                backward(x, dy, d2, accumulate, Simd.Best);
                AssertSameBits(d2, d1, "backward");
            }
        }
        // The default is to accumulate.
        var (e1, e2) = (Normal(x.Length, 61), Normal(x.Length, 61));
        Gelu.Backward(x, dy, e1);
        Gelu.Backward(x, dy, e2, true, Simd.Best);
        AssertSameBits(e2, e1, "default accumulate");
    }
}
