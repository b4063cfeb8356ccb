using Sharpformer.Autograd;
using Sharpformer.Interop.Onnx;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Interop.Onnx;

/// <summary>
/// The exported decoder, run by ONNX Runtime, against Sharpformer's own <see cref="Gpt"/>: the logits of a prompt
/// and of 20 cached decoding steps (present fed back as past) agree to 1e-4 for every variant the exporter
/// maps — biases or not, GELU tanh / exact / ReLU — on odd sizes (3 heads of 12, width 36, 2 layers).
/// </summary>
public sealed class GptOnnxExportTests : IDisposable
{
    /// <summary>Max abs difference allowed: fp32 sums in another order over widths of 36–144, logits of O(1).</summary>
    private const float Tolerance = 1e-4f;

    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A GPT whose every parameter is random — biases and LayerNorm gains and shifts included, so that each one's
    /// mapping shows in the logits — at a scale that makes the logits O(1).
    /// </summary>
    internal static Gpt RandomGpt(bool bias, string activation = "gelu", int layers = 2, int heads = 3, int width = 36, int block = 48, int vocab = 53,
        string attention = "full")
    {
        var model = new Gpt(new GptConfig(layers, heads, width, block, vocab, Bias: bias, Attention: attention, Activation: activation), seed: 11);
        var rng = new Rng(5);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (name.EndsWith(".bias")) rng.FillNormal(p.Value.Span, 0.1f);
            else if (p.Value.Rank == 1) rng.FillNormal(p.Value.Span, 0.2f, mean: 1f);   // LayerNorm gain
            else rng.FillNormal(p.Value.Span, 0.2f);
        }
        return model;
    }

    [Theory]
    [InlineData(true, "gelu")]
    [InlineData(false, "gelu")]
    [InlineData(true, "gelu_exact")]
    [InlineData(false, "relu")]
    [InlineData(true, "identity")]
    [InlineData(false, "none")]
    public void PromptAndTwentyCachedStepsMatchSharpformer(bool bias, string activation)
    {
        var model = RandomGpt(bias, activation);
        var export = GptOnnxExporter.Export(model, null, Path.Combine(_dir, "onnx"));
        Assert.Null(export.ExternalDataPath);
        var (prompt, steps) = CompareDecoding(model, export.ModelPath, [3, 17, 52, 0, 9, 9, 41], decodeSteps: 20);
        TestContext.Current.TestOutputHelper?.WriteLine($"bias={bias} {activation}: max |Δlogit| prompt {prompt:E2}, 20 cached steps {steps:E2}");
    }

    [Fact]
    public void WeightsInAnExternalDataFileGiveTheSameLogits()
    {
        var model = RandomGpt(bias: true);
        var export = GptOnnxExporter.Export(model, null, Path.Combine(_dir, "external"), externalDataThreshold: 0);
        Assert.NotNull(export.ExternalDataPath);
        Assert.True(new FileInfo(export.ExternalDataPath).Length >= model.ParameterCount() * sizeof(float));
        Assert.True(new FileInfo(export.ModelPath).Length < 64 << 10, "the graph without its weights should be small");
        CompareDecoding(model, export.ModelPath, [1, 2, 3, 4], decodeSteps: 3);
    }

    /// <summary>
    /// Batched and left-padded, as GenAI feeds a batch of prompts of different lengths: a padded row's real
    /// positions get the logits of its prompt alone, and so does its next cached step.
    /// </summary>
    [Fact]
    public void ALeftPaddedRowGetsTheLogitsOfItsPromptAlone()
    {
        var model = RandomGpt(bias: true);
        var export = GptOnnxExporter.Export(model, null, Path.Combine(_dir, "batch"));
        int v = model.Config.VocabSize, pads = 2;
        int[] longPrompt = [5, 8, 13, 21, 34, 2], shortPrompt = [7, 1, 44, 30];
        using var runner = new OnnxDecoderRunner(export.ModelPath, model.Config.Layers, model.Config.Heads, model.Config.HeadSize);
        runner.Reset(batch: 2);
        long[] ids = [.. longPrompt, 0, 0, .. shortPrompt];
        long[] mask = [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1];
        long[] positions = [0, 1, 2, 3, 4, 5, 0, 0, 0, 1, 2, 3];
        var logits = runner.Step(ids, positions, mask, time: 6);
        var (longCache, shortCache) = (model.NewCache(1), model.NewCache(1));
        using var tape = new Tape(recordGradients: false);
        AssertClose(Forward(tape, model, longPrompt, longCache), logits.AsSpan(0, 6 * v));
        AssertClose(Forward(tape, model, shortPrompt, shortCache), logits.AsSpan((6 + pads) * v, 4 * v));

        logits = runner.Step([11, 12], [6, 4], [.. mask[..6], 1, .. mask[6..], 1], time: 1);
        AssertClose(Forward(tape, model, [11], longCache), logits.AsSpan(0, v));
        AssertClose(Forward(tape, model, [12], shortCache), logits.AsSpan(v, v));
    }

    [Theory]
    [InlineData("window:16")]
    [InlineData("topk:2:1")]
    [InlineData("lsh")]
    public void ApproximateAttentionIsRefused(string attention)
    {
        var model = RandomGpt(bias: false, attention: attention);
        var ex = Assert.Throws<ArgumentException>(() => GptOnnxExporter.Export(model, null, Path.Combine(_dir, "refused")));
        Assert.Contains($"attention '{attention}' is approximate", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
    }

    [Fact]
    public void AFolderHoldingOtherFilesIsNotReplaced()
    {
        var model = RandomGpt(bias: false);
        var folder = Path.Combine(_dir, "checkpoint");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.safetensors"), "weights");
        var ex = Assert.Throws<ArgumentException>(() => GptOnnxExporter.Export(model, null, folder));
        Assert.Contains("holds 'model.safetensors'", ex.Message);
        Assert.True(File.Exists(Path.Combine(folder, "model.safetensors")));

        var export = Path.Combine(_dir, "again");
        GptOnnxExporter.Export(model, null, export);
        GptOnnxExporter.Export(model, null, export);   // an earlier export is replaced
        Assert.Equal([OnnxDecoderNames.GenAiConfigFile, OnnxDecoderNames.ModelFile], Directory.GetFiles(export).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("flash")]
    [InlineData("parameter-free")]
    public void ExactAttentionVariantsExport(string attention)
    {
        var model = RandomGpt(bias: true, attention: attention);
        var export = GptOnnxExporter.Export(model, null, Path.Combine(_dir, attention));
        CompareDecoding(model, export.ModelPath, [4, 4, 20, 31, 50], decodeSteps: 5);
    }

    /// <summary>
    /// Runs <paramref name="prompt"/> and then <paramref name="decodeSteps"/> greedy tokens through both, one at a
    /// time with the cache; asserts every logit agrees; returns the largest differences (prompt, decoding).
    /// </summary>
    internal static (float Prompt, float Steps) CompareDecoding(Gpt model, string modelPath, int[] prompt, int decodeSteps)
    {
        var c = model.Config;
        using var runner = new OnnxDecoderRunner(modelPath, c.Layers, c.Heads, c.HeadSize);
        runner.Reset(batch: 1);
        var cache = model.NewCache(1);
        using var tape = new Tape(recordGradients: false);
        var expected = Forward(tape, model, prompt, cache);
        var actual = runner.Step(prompt.Select(i => (long)i).ToArray(), Positions(0, prompt.Length), Ones(prompt.Length), prompt.Length);
        float promptDiff = AssertClose(expected, actual);
        float stepDiff = 0;
        for (int step = 0; step < decodeSteps; step++)
        {
            int next = ArgMax(expected.AsSpan(expected.Length - c.VocabSize));
            int position = runner.PastLength;
            expected = Forward(tape, model, [next], cache);
            actual = runner.Step([next], [position], Ones(position + 1), time: 1);
            stepDiff = Math.Max(stepDiff, AssertClose(expected, actual));
        }
        Assert.Equal(prompt.Length + decodeSteps, runner.PastLength);
        return (promptDiff, stepDiff);
    }

    private static float[] Forward(Tape tape, Gpt model, int[] ids, Gpt.KvCache cache)
    {
        var logits = model.Forward(tape, ids, 1, ids.Length, cache: cache).Value.Span.ToArray();
        tape.Reset();
        return logits;
    }

    private static float AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        Assert.True(max <= Tolerance, $"max |Δlogit| {max:E2} > {Tolerance:E0}");
        return max;
    }

    private static long[] Positions(int start, int count) => Enumerable.Range(start, count).Select(i => (long)i).ToArray();
    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
