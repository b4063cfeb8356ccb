using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tests.Autograd;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Models;

public class TranslatorTests
{
    private static readonly TranslationVocabulary Vocab = new(new CharTokenizer("abcdefg".Select(c => (int)c)));

    private static Translator Tiny(string positions = "sinusoidal", bool shared = true, float std = 0.4f)
    {
        var model = new Translator(new TranslatorConfig(1, 2, 2, 8, 16, 12, Vocab.Size, Vocab.Size, shared, positions, Dropout: 0f), seed: 7);
        var rng = new Sharpformer.Tensors.Rng(3);
        foreach (var p in model.Parameters()) if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, std);
        return model;
    }

    [Theory]
    [InlineData("sinusoidal", true)]
    [InlineData("learned", false)]
    public void WholeEncoderDecoderPassesGradientCheck(string positions, bool shared)
    {
        var model = Tiny(positions, shared);
        var batch = new TranslationBatch([([0, 3, 5], [1, 2]), ([4], [6, 6, 0])], Vocab, Vocab);
        GradCheck.Check(t => batch.Loss(t, model, labelSmoothing: 0.1f), model.Parameters().ToArray(), maxPerInput: 5);
    }

    [Fact]
    public void BatchIsRightPaddedWithBosAndEos()
    {
        var batch = new TranslationBatch([([0, 3, 5], [1, 2]), ([4], [6, 6, 0])], Vocab, Vocab);
        Assert.Equal([0, 3, 5, 4, Vocab.Pad, Vocab.Pad], batch.Sources);
        Assert.Equal([3, 1], batch.SourceLengths);
        Assert.Equal([Vocab.Bos, 1, 2, Vocab.Pad, Vocab.Bos, 6, 6, 0], batch.TargetInputs);
        Assert.Equal([1, 2, Vocab.Eos, -1, 6, 6, 0, Vocab.Eos], batch.TargetOutputs);
        Assert.Equal(7, batch.TargetTokens);
    }

    [Fact]
    public void PaddingDoesNotChangeASentencesLoss()
    {
        var model = Tiny();
        using var tape = new Tape(recordGradients: false);
        float alone = new TranslationBatch([([4], [6, 6, 0])], Vocab, Vocab).Loss(tape, model, 0).Value.Span[0];
        // Next to a longer pair, the short one is padded on both sides; its loss must stay the same.
        var mixed = new TranslationBatch([([4], [6, 6, 0]), ([0, 1, 2, 3, 4], [5, 5, 5, 5, 5, 5])], Vocab, Vocab);
        var memory = model.Encode(tape, mixed.Sources, 2, mixed.SourceTime, mixed.SourceLengths);
        var logits = model.Decode(tape, mixed.TargetInputs, 2, mixed.TargetTime, memory);
        var firstRowTargets = mixed.TargetOutputs.Select((t, i) => i < mixed.TargetTime ? t : -1).ToArray();
        float padded = tape.CrossEntropy(logits, firstRowTargets, -1).Value.Span[0];
        Assert.Equal(alone, padded, 1e-5);
    }

    [Fact]
    public void GreedyBeamSearchEqualsStepByStepArgmaxWithoutCache()
    {
        var model = Tiny(std: 0.8f);
        int[] source = [2, 4, 1, 0];
        var greedy = new BeamSearch(model, Vocab, Vocab).Translate([source], new BeamSearchOptions(Beam: 1, MaxLengthRatio: 1, MaxLengthExtra: 6))[0];

        using var tape = new Tape(recordGradients: false);
        var memory = model.Encode(tape, source, 1, source.Length, [source.Length]);
        var prefix = new List<int> { Vocab.Bos };
        var expected = new List<int>();
        for (int step = 0; step < 10; step++)
        {
            var logits = model.Decode(tape, prefix.ToArray(), 1, prefix.Count, memory).Value.Span;
            var last = logits.Slice((prefix.Count - 1) * Vocab.Size, Vocab.Size).ToArray();
            int next = Array.IndexOf(last, last.Max());
            if (next == Vocab.Eos) break;
            expected.Add(next);
            prefix.Add(next);
            if (expected.Count == 10) break;
        }
        Assert.Equal(expected, greedy);
    }

    [Fact]
    public void WiderBeamNeverFindsALowerScoringBestHypothesis()
    {
        var model = Tiny(std: 0.8f);
        int[][] sources = [[2, 4, 1, 0], [5], [1, 1, 3]];
        var options = new BeamSearchOptions(Beam: 1, LengthPenalty: 0f);
        var search = new BeamSearch(model, Vocab, Vocab);
        var narrow = search.Translate(sources, options);
        var wide = search.Translate(sources, options with { Beam = 5 });
        for (int i = 0; i < sources.Length; i++)
            Assert.True(LogProb(model, sources[i], wide[i]) >= LogProb(model, sources[i], narrow[i]) - 1e-4);
    }

    private static double LogProb(Translator model, int[] source, int[] target)
    {
        using var tape = new Tape(recordGradients: false);
        var batch = new TranslationBatch([(source, target)], Vocab, Vocab);
        return -batch.Loss(tape, model, 0).Value.Span[0] * batch.TargetTokens;
    }
}
