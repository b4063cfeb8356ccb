using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tests.Autograd;
using Sharpformer.Training;

namespace Sharpformer.Tests.Models;

public sealed class SequenceClassifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-classifier-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Vocabulary = ["<pad>", "<cls>", "a", "b", "c", "d", "e"];

    private static SequenceClassifier Tiny(string attention = "full", float std = 0.4f)
    {
        var config = new SequenceClassifierConfig(2, 2, 8, 12, 9, Vocabulary.Length, 3, Attention: attention);
        var model = new SequenceClassifier(config, seed: 7);
        var rng = new Sharpformer.Tensors.Rng(3);
        foreach (var p in model.Parameters()) if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, std);
        return model;
    }

    private static readonly ClassificationExample[] Examples = [new([1, 2, 5, 3, 6], 2), new([1, 4], 0), new([1, 6, 6, 2, 3, 4, 5], 1)];

    [Fact]
    public void WholeClassifierPassesGradientCheck()
    {
        var model = Tiny();
        var batch = new ClassificationBatch(Examples);
        GradCheck.Check(t => batch.Loss(t, model), model.Parameters().ToArray(), maxPerInput: 5);
    }

    [Fact]
    public void LogitsPassGradientCheckThroughThePooledPosition()
    {
        var model = Tiny();
        var batch = new ClassificationBatch(Examples);
        var inputs = new[] { model.TokenEmbedding.Weight, model.PositionEmbedding.Weight, model.Blocks[0].Attn.Qkv.Weight, model.Head.Weight };
        GradCheck.Check(t => model.Forward(t, batch.Ids, batch.Size, batch.Time, batch.Lengths), inputs, maxPerInput: 8);
    }

    [Theory]
    [InlineData("full")]
    [InlineData("flash")]
    [InlineData("window:2:1")]
    public void PaddingDoesNotChangeASequencesLogits(string attention)
    {
        var model = Tiny(attention);
        using var tape = new Tape(recordGradients: false);
        var alone = Logits(tape, model, [Examples[1]]);
        var padded = Logits(tape, model, Examples);
        for (int k = 0; k < 3; k++) Assert.Equal(alone[k], padded[3 + k], 1e-5);
    }

    [Fact]
    public void FlashAgreesWithFullAttention()
    {
        using var tape = new Tape(recordGradients: false);
        var full = Logits(tape, Tiny("full"), Examples);
        var flash = Logits(tape, Tiny("flash"), Examples);
        for (int i = 0; i < full.Length; i++) Assert.Equal(full[i], flash[i], 1e-4);
    }

    [Fact]
    public void CheckpointRoundTripsTheModelAndVocabulary()
    {
        var model = Tiny("window:4");
        ClassifierCheckpoint.Save(_dir, model, Vocabulary, new ClassificationState(3, 0.5, "{}"));
        Assert.False(File.Exists(Path.Combine(_dir, Checkpoint.TokenizerFile)));
        var (loaded, vocabulary) = ClassifierCheckpoint.Load(_dir);
        Assert.Equal(Vocabulary, vocabulary);
        Assert.Equal(model.Config, loaded.Config);
        using var tape = new Tape(recordGradients: false);
        Assert.Equal(Logits(tape, model, Examples), Logits(tape, loaded, Examples));
        Assert.Throws<ArgumentException>(() => ClassifierCheckpoint.Save(_dir, model, Vocabulary[..3]));
    }

    [Fact]
    public void RejectsSequencesLongerThanItsPositions()
    {
        var model = Tiny();
        var batch = new ClassificationBatch([new ClassificationExample(Enumerable.Repeat(2, 10).ToArray(), 0)]);
        using var tape = new Tape(recordGradients: false);
        var e = Assert.Throws<ArgumentException>(() => batch.Loss(tape, model));
        Assert.Contains("max_length 9", e.Message);
    }

    private static float[] Logits(Tape tape, SequenceClassifier model, IReadOnlyList<ClassificationExample> examples)
    {
        var batch = new ClassificationBatch(examples);
        return model.Forward(tape, batch.Ids, batch.Size, batch.Time, batch.Lengths).Value.Span.ToArray();
    }
}
