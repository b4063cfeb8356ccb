using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

public class GptTrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharpformer-tests-" + Guid.NewGuid().ToString("N"));
    private const string Text = "the quick brown fox jumps over the lazy dog. a stitch in time saves nine. ";

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static GptTrainer NewTrainer(ulong seed = 5, float dropout = 0.1f, int steps = 12)
    {
        var tokenizer = CharTokenizer.FromText(Text);
        var config = new GptConfig(2, 2, 16, 8, tokenizer.VocabSize, Dropout: dropout);
        var options = new GptTrainingOptions { Steps = steps, Batch = 4, WarmupSteps = 3, EvalInterval = 5, EvalBatches = 2, Seed = seed, MaxLr = 3e-3f, MinLr = 3e-4f };
        var corpus = string.Concat(Enumerable.Repeat(Text, 20));
        return new GptTrainer(new Gpt(config, seed), tokenizer, new TokenBatches(tokenizer.Encode(corpus), options.TrainFraction, config.BlockSize), options);
    }

    private static float[] Weights(GptTrainer t) => t.Model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    [Fact]
    public void SameSeedGivesSameBitsAndLossFalls()
    {
        var a = NewTrainer(steps: 60);
        var b = NewTrainer(steps: 60);
        float first = a.EstimateLoss("train");
        a.Run(null);
        b.Run(null);
        Assert.Equal(Weights(a), Weights(b));
        float after = a.EstimateLoss("train");
        Assert.True(after < first - 0.5f, $"loss {first} -> {after}");
        var c = NewTrainer(seed: 6, steps: 60);
        c.Run(null);
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void StoppingAndResumingEqualsTrainingStraightThrough()
    {
        var straight = NewTrainer();
        straight.Run(null);

        var first = NewTrainer();
        first.Run(_dir, untilStep: 7);
        Assert.Equal(7, first.Step);
        var resumed = GptTrainer.Resume(Path.Combine(_dir, "last"), tok => tok.Encode(string.Concat(Enumerable.Repeat(Text, 20))));
        Assert.Equal(7, resumed.Step);
        resumed.Run(_dir);
        Assert.Equal(12, resumed.Step);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.True(File.Exists(Path.Combine(_dir, "best", GptCheckpoint.ModelFile)));
        Assert.Contains("\"val_loss\"", File.ReadAllText(Path.Combine(_dir, "log.jsonl")));
    }

    [Fact]
    public void CheckpointRoundTripsAndCorruptFilesAreNamed()
    {
        var trainer = NewTrainer();
        var dir = Path.Combine(_dir, "ckpt");
        GptCheckpoint.Save(dir, trainer.Model, trainer.Tokenizer);
        var (model, tokenizer) = GptCheckpoint.Load(dir);
        Assert.Equal(Weights(trainer), model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray());
        Assert.Equal(trainer.Tokenizer.VocabSize, tokenizer.VocabSize);

        var modelFile = Path.Combine(dir, GptCheckpoint.ModelFile);
        var bytes = File.ReadAllBytes(modelFile);
        File.WriteAllBytes(modelFile, bytes[..(bytes.Length - 10)]);
        var ex = Assert.Throws<InvalidDataException>(() => GptCheckpoint.Load(dir));
        Assert.Contains(modelFile, ex.Message);

        File.WriteAllBytes(modelFile, bytes);
        File.WriteAllText(Path.Combine(dir, GptCheckpoint.ConfigFile), new GptConfig(2, 2, 32, 8, tokenizer.VocabSize).ToJson());
        ex = Assert.Throws<InvalidDataException>(() => GptCheckpoint.Load(dir));
        Assert.Contains("shape", ex.Message);
    }

    [Fact]
    public void CosineScheduleMatchesNanoGpt()
    {
        var s = new CosineSchedule(1e-3f, 1e-4f, 100, 2000);
        Assert.Equal(1e-3 / 101, s.At(0), 1e-9);
        Assert.Equal(1e-3, s.At(100), 1e-7);
        Assert.Equal(5.5e-4, s.At(1050), 1e-7);
        Assert.Equal(1e-4, s.At(2000), 1e-9);
        Assert.Equal(1e-4, s.At(5000), 1e-9);
        var noam = new InverseSqrtSchedule(1e-3f, 100);
        Assert.Equal(1e-3, noam.At(99), 1e-7);
        Assert.Equal(5e-4, noam.At(399), 1e-7);
    }
}
