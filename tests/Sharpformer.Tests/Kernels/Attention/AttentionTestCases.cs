using Sharpformer.Kernels;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Kernels;

/// <summary>Shapes and masks the attention kernels are checked on, random inputs for them, and the comparison rule.</summary>
internal static class AttentionTestCases
{
    /// <summary>(batch, heads, Tq, Tk, hs, causal, keyLengths or empty): odd sizes, padding, cross-attention, decode steps, empty rows.</summary>
    public static TheoryData<int, int, int, int, int, bool, int[]> Shapes => new()
    {
        { 1, 1, 1, 1, 8, false, [] },
        { 1, 1, 1, 1, 8, true, [] },
        { 1, 2, 3, 3, 17, true, [] },
        { 2, 2, 17, 17, 64, true, [17, 9] },
        { 1, 1, 65, 65, 17, false, [40] },
        { 1, 2, 65, 65, 64, false, [] },
        { 1, 2, 257, 257, 64, true, [] },
        { 1, 1, 257, 257, 8, false, [200] },
        { 2, 1, 17, 65, 17, false, [65, 3] },   // cross-attention, Tq < Tk
        { 1, 1, 65, 17, 64, true, [] },          // Tq > Tk causal: the first 48 queries see no key
        { 2, 2, 1, 257, 64, true, [100, 257] },  // decode step with a KV cache
        { 1, 1, 3, 257, 64, true, [] },
        { 1, 1, 8, 70, 64, true, [60] },          // the last query count of the flash row path
        { 1, 2, 9, 40, 17, true, [] },            // the first query count of the flash tiled path
        { 2, 1, 65, 65, 64, true, [0, 65] },     // a fully padded batch item
        { 1, 1, 130, 130, 32, true, [129] },
        { 2, 4, 70, 70, 16, true, [70, 33] },     // 8 heads: the flash backward's one-group-per-head path
        { 2, 4, 300, 300, 8, true, [300, 260] },  // … over two blocks of keys
    };

    /// <summary>Every vector width this machine runs in hardware (with the runtime knobs, fewer), Scalar last.</summary>
    public static TheoryData<SimdWidth> Widths => new(Simd.Accelerated);

    /// <summary><see cref="Shapes"/> at every accelerated width.</summary>
    public static TheoryData<SimdWidth, int, int, int, int, int, bool, int[]> ShapesAtEveryWidth
    {
        get
        {
            var data = new TheoryData<SimdWidth, int, int, int, int, int, bool, int[]>();
            foreach (var width in Simd.Accelerated)
                foreach (var row in Shapes)
                {
                    var (b, nh, tq, tk, hs, causal, keyLengths) = row.Data;
                    data.Add(width, b, nh, tq, tk, hs, causal, keyLengths);
                }
            return data;
        }
    }

    public static AttentionShape Shape(int batch, int heads, int tq, int tk, int hs, bool causal)
        => AttentionShape.Create(batch, heads, tq, tk, hs, causal);

    /// <summary>Random Q, K, V, dO; queries are scaled so some softmax rows are sharply peaked.</summary>
    public static (float[] Q, float[] K, float[] V, float[] DO) Inputs(in AttentionShape shape, ulong seed)
    {
        var rng = new Rng(seed);
        var q = new float[shape.QuerySize];
        var k = new float[shape.KeySize];
        var v = new float[shape.KeySize];
        var dO = new float[shape.QuerySize];
        rng.FillNormal(q, 2f);
        rng.FillNormal(k, 1f);
        rng.FillNormal(v, 1f);
        rng.FillNormal(dO, 1f);
        return (q, k, v, dO);
    }

    /// <summary>
    /// Asserts max|actual − expected| ≤ tolerance · max|expected| (relative to the tensor's largest element, since
    /// fp32 cannot give a per-element relative error for entries near zero), plus <paramref name="absolute"/> for
    /// tensors that are zero in exact arithmetic, and that nothing is NaN.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string name, double tolerance = 1e-5,
        double absolute = 0)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]) || float.IsInfinity(actual[i]), $"{name}[{i}] is {actual[i]}");
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            double err = Math.Abs(actual[i] - (double)expected[i]);
            if (err > maxErr) { maxErr = err; worst = i; }
        }
        Assert.True(maxErr <= tolerance * Math.Max(maxRef, 1e-30) + absolute || maxErr == 0,
            $"{name}: max error {maxErr:G3} at {worst} (expected {(worst >= 0 ? expected[worst] : 0)}, got {(worst >= 0 ? actual[worst] : 0)}), scale {maxRef:G3}");
    }
}
