using Sharpformer.Kernels;
using static Sharpformer.Tests.Kernels.Rows.RowTestData;

namespace Sharpformer.Tests.Kernels.Rows;

/// <summary>Fused softmax cross-entropy, forward (losses, log-sum-exp) and backward, at every width against double loops.</summary>
public class CrossEntropyTests
{
    private const int Ignore = -1;

    public static TheoryData<SimdWidth, int, float> Cases()
    {
        var data = new TheoryData<SimdWidth, int, float>();
        foreach (var w in Simd.Accelerated)
        foreach (int v in Sizes)
        foreach (float smoothing in new[] { 0f, 0.1f })
            data.Add(w, v, smoothing);
        return data;
    }

    /// <summary>Four rows of logits over v classes; the second row is padding (ignored).</summary>
    private static (float[] Logits, int[] Targets) Batch(int v, out int rows)
    {
        rows = 4;
        var logits = Normal(rows * v, 41 + (ulong)v, std: 3f, mean: 1f);
        var rng = new Sharpformer.Tensors.Rng(42);
        var targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = rng.NextInt(v);
        targets[1] = Ignore;
        targets[rows - 1] = v - 1; // the last class sits in the scalar tail at every width
        return (logits, targets);
    }

    [Theory, MemberData(nameof(Cases))]
    public void ForwardMatchesDoubleReference(SimdWidth width, int v, float smoothing)
    {
        var (logits, targets) = Batch(v, out int rows);
        var losses = Enumerable.Repeat(float.NaN, rows).ToArray();
        var lse = Enumerable.Repeat(float.NaN, rows).ToArray();
        int counted = CrossEntropy.Forward(logits, targets, losses, lse, rows, v, Ignore, smoothing, width);
        Assert.Equal(rows - 1, counted);
        var expectedLoss = new double[rows];
        var expectedLse = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] == Ignore) continue;
            var row = logits.AsSpan(r * v, v);
            expectedLoss[r] = CrossEntropy.Reference.RowLoss(row, targets[r], smoothing);
            expectedLse[r] = CrossEntropy.Reference.LogSumExp(row);
        }
        AssertClose(expectedLoss, losses, 1e-6, $"losses {width}");
        AssertClose(expectedLse, lse, 3e-7, $"lse {width}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardMatchesDoubleReference(SimdWidth width, int v, float smoothing)
    {
        var (logits, targets) = Batch(v, out int rows);
        var lse = new float[rows];
        int counted = CrossEntropy.Forward(logits, targets, new float[rows], lse, rows, v, Ignore, smoothing);
        float scale = 1f / counted;
        var fast = Normal(logits.Length, 43, std: 0.1f); // the gradient accumulates
        var slow = (float[])fast.Clone();
        CrossEntropy.Backward(logits, targets, lse, fast, rows, v, Ignore, smoothing, scale, width);
        CrossEntropy.Reference.Backward(logits, targets, slow, rows, v, Ignore, smoothing, scale);
        AssertClose(slow, fast, 3e-7, $"dLogits {width}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void BackwardHasTheSameBitsAtEveryWidth(SimdWidth width, int v, float smoothing)
    {
        var (logits, targets) = Batch(v, out int rows);
        var lse = new float[rows];
        CrossEntropy.Forward(logits, targets, new float[rows], lse, rows, v, Ignore, smoothing);
        var scalar = Normal(logits.Length, 44, std: 0.1f);
        var d = (float[])scalar.Clone();
        CrossEntropy.Backward(logits, targets, lse, scalar, rows, v, Ignore, smoothing, 0.3f, SimdWidth.Scalar);
        CrossEntropy.Backward(logits, targets, lse, d, rows, v, Ignore, smoothing, 0.3f, width);
        AssertSameBits(scalar, d, $"{width} vs scalar");
    }

    [Fact]
    public void PublicEntryPointsRunTheBestWidth()
    {
        var (logits, targets) = Batch(1031, out int rows);
        var (la, lb, sa, sb) = (new float[rows], new float[rows], new float[rows], new float[rows]);
        Assert.Equal(CrossEntropy.Forward(logits, targets, lb, sb, rows, 1031, Ignore, 0.1f, Simd.Best),
            CrossEntropy.Forward(logits, targets, la, sa, rows, 1031, Ignore, 0.1f));
        AssertSameBits(lb, la, "losses");
        AssertSameBits(sb, sa, "lse");
        var (da, db) = (new float[logits.Length], new float[logits.Length]);
        CrossEntropy.Backward(logits, targets, sa, da, rows, 1031, Ignore, 0.1f, 0.5f);
        CrossEntropy.Backward(logits, targets, sa, db, rows, 1031, Ignore, 0.1f, 0.5f, Simd.Best);
        AssertSameBits(db, da, "dLogits");
    }
}
