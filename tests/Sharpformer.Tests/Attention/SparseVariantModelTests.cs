using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tests.Autograd;

namespace Sharpformer.Tests.Attention;

/// <summary>The sparse variants inside a model: same loss as full attention when they cover everything, cached decoding, gradients.</summary>
public class SparseVariantModelTests
{
    private static GptConfig Config(string attention) => new(Layers: 2, Heads: 2, Embedding: 8, BlockSize: 12, VocabSize: 11, Attention: attention);

    private static readonly int[] Ids = [1, 4, 2, 9, 3, 3, 7, 0, 5, 10, 6, 2];
    private static readonly int[] Targets = [4, 2, 9, 3, 3, 7, 0, 5, 10, 6, 2, 8];

    /// <summary>A model with larger weights than GPT-2's 0.02, so that attention is far from uniform and every path counts.</summary>
    private static Gpt Model(string attention, ulong seed)
    {
        var model = new Gpt(Config(attention), seed);
        var rng = new Sharpformer.Tensors.Rng(8);
        foreach (var p in model.Parameters()) if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, 0.5f);
        return model;
    }

    private static float Loss(string attention)
    {
        var model = Model(attention, seed: 3);
        using var tape = new Tape(recordGradients: false);
        return model.Loss(tape, Ids, Targets, 1, Ids.Length).Value.Span[0];
    }

    [Theory]
    [InlineData("window:12")]
    [InlineData("topk:1:0")]
    public void CoveringVariantsGiveTheFullLoss(string attention) =>
        Assert.Equal(Loss("full"), Loss(attention), 4);

    [Fact]
    public void WindowLossDiffersFromFullWhenItHidesKeys() =>
        Assert.True(Math.Abs(Loss("full") - Loss("window:2")) > 1e-3); // the covering variants agree to 1e-4

    [Theory]
    [InlineData("window:3")]
    [InlineData("window:2:1:0")]
    [InlineData("topk:1:1")]
    public void CachedDecodingMatchesTheWholeSequence(string attention)
    {
        var model = Model(attention, seed: 5);
        float[] whole;
        using (var tape = new Tape(recordGradients: false))
            whole = model.Forward(tape, Ids, 1, Ids.Length).Value.Span.ToArray(); // (1, T, V)
        var cache = model.NewCache(1);
        int vocab = Config(attention).VocabSize;
        for (int t = 0; t < Ids.Length; t++)
        {
            using var tape = new Tape(recordGradients: false);
            var step = model.Forward(tape, Ids.AsSpan(t, 1), 1, 1, cache: cache).Value.Span;
            for (int c = 0; c < vocab; c++)
                Assert.True(Math.Abs(step[c] - whole[t * vocab + c]) <= 1e-5 + 1e-5 * Math.Abs(whole[t * vocab + c]),
                    $"position {t}, logit {c}: cached {step[c]} vs whole {whole[t * vocab + c]}");
        }
    }

    [Theory]
    [InlineData("topk:1:1")]
    [InlineData("topk:1:1:bound")]
    [InlineData("topk:2:0")]
    public void TopKDecodedTokenByTokenReadsTheTilesOfTheWholeSequencePass(string attention)
    {
        // 203 positions: four 64-key tiles (the last one partial), so each query's tile choice matters.
        var config = new GptConfig(Layers: 2, Heads: 2, Embedding: 8, BlockSize: 203, VocabSize: 11, Attention: attention);
        var model = new Gpt(config, 7);
        var rng = new Sharpformer.Tensors.Rng(9);
        foreach (var p in model.Parameters()) if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, 0.5f);
        var ids = new int[config.BlockSize];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.NextInt(config.VocabSize);

        float[] whole;
        using (var tape = new Tape(recordGradients: false))
            whole = model.Forward(tape, ids, 1, ids.Length).Value.Span.ToArray(); // (1, T, V)
        var cache = model.NewCache(1);
        // A prompt of 70 positions in one call, then one token at a time.
        var steps = new List<(int Start, int Count)> { (0, 70) };
        for (int t = 70; t < ids.Length; t++) steps.Add((t, 1));
        foreach (var (start, count) in steps)
        {
            using var tape = new Tape(recordGradients: false);
            var logits = model.Forward(tape, ids.AsSpan(start, count), 1, count, cache: cache).Value.Span; // (1, count, V)
            for (int i = 0; i < logits.Length; i++)
            {
                float expected = whole[start * config.VocabSize + i];
                Assert.True(Math.Abs(logits[i] - expected) <= 1e-4 + 1e-4 * Math.Abs(expected),
                    $"position {start + i / config.VocabSize}: cached {logits[i]} vs whole {expected}");
            }
        }
    }

    [Theory]
    [InlineData("window:3:1:0")]
    [InlineData("lsh:2:4:2")]
    public void ModelGradientsMatchFiniteDifferences(string attention)
    {
        var model = Model(attention, seed: 7);
        GradCheck.Check(t => model.Loss(t, Ids.AsSpan(0, 8), Targets.AsSpan(0, 8), 1, 8), model.Parameters().ToArray(), eps: 1e-2, maxPerInput: 6);
    }
}
