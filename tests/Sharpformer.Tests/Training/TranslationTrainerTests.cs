using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

public class TranslationTrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sharpformer-mt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly SentencePair[] Pairs =
    [
        new("a cat", "кот"), new("a dog", "пёс"), new("the cat", "этот кот"), new("the dog", "этот пёс"),
        new("big cat", "большой кот"), new("big dog", "большой пёс"), new("small cat", "малый кот"), new("small dog", "малый пёс"),
    ];

    private static TranslationTrainer NewTrainer()
    {
        var vocab = new TranslationVocabulary(CharTokenizer.FromText(string.Concat(Pairs.Select(p => p.Source + p.Target))));
        var config = new TranslatorConfig(1, 1, 2, 16, 32, 24, vocab.Size, vocab.Size, Dropout: 0.1f);
        var options = new TranslationTrainingOptions { Steps = 12, BatchTokens = 40, WarmupSteps = 2, EvalInterval = 5, EvalSentences = 4, MaxLr = 3e-3f, Seed = 4 };
        return new TranslationTrainer(new Translator(config, 4), vocab, vocab, Pairs, Pairs[..4], options);
    }

    private static float[] Weights(TranslationTrainer t) => t.Model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    [Fact]
    public void StoppingAndResumingEqualsTrainingStraightThrough()
    {
        var straight = NewTrainer();
        straight.Run(null);

        var first = NewTrainer();
        first.Run(_dir, untilStep: 7);
        var resumed = TranslationTrainer.Resume(Path.Combine(_dir, "last"), Pairs, Pairs[..4]);
        Assert.Equal(7, resumed.Step);
        resumed.Run(_dir);
        Assert.Equal(12, resumed.Step);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Contains("\"bleu\"", File.ReadAllText(Path.Combine(_dir, "log.jsonl")));
    }

    [Fact]
    public void CheckpointRoundTripsAndTranslates()
    {
        var trainer = NewTrainer();
        trainer.Run(_dir);
        var (model, source, target) = TranslatorCheckpoint.Load(Path.Combine(_dir, "last"));
        Assert.Equal(Weights(trainer), model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray());
        var outputs = TranslationTrainer.Translate(model, source, target, ["a cat", "", "big dog"], new Sharpformer.Generation.BeamSearchOptions(Beam: 2));
        Assert.Equal(3, outputs.Count);
        File.WriteAllText(Path.Combine(_dir, "last", TranslatorCheckpoint.Files.Config), "{ not json");
        var ex = Assert.Throws<InvalidDataException>(() => TranslatorCheckpoint.Load(Path.Combine(_dir, "last")));
        Assert.Contains(TranslatorCheckpoint.Files.Config, ex.Message);
    }
}
