using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Data.ListOps;
using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

public sealed class ClassificationTrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-classify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ListOpsSplits Data = ListOpsGenerator.Generate(
        new ListOpsGeneratorOptions { MaxDepth = 3, MaxArgs = 3, MinLength = 3, MaxLength = 12, TrainCount = 256, ValidCount = 32, TestCount = 32, Seed = 2 });

    private static List<ClassificationExample> Encode(IEnumerable<ListOpsExample> examples) => examples.Select(e => e.Encode()).ToList();

    private static ClassificationTrainer NewTrainer(int steps = 30, int trainCount = 256)
    {
        var train = Encode(Data.Train.Take(trainCount));
        int longest = train.Concat(Encode(Data.Valid)).Max(e => e.Tokens.Length);
        var config = new SequenceClassifierConfig(1, 2, 16, 32, longest, ListOpsVocabulary.Size, 10);
        var options = new ClassificationTrainingOptions { Steps = steps, BatchSize = 16, MaxLr = 1e-2f, MinLr = 1e-3f, WarmupSteps = 3, EvalInterval = 10, Seed = 4 };
        return new ClassificationTrainer(new SequenceClassifier(config, options.Seed), ListOpsVocabulary.Tokens, train, Encode(Data.Valid), options);
    }

    private static float MeanLoss(SequenceClassifier model, IReadOnlyList<ClassificationExample> examples)
    {
        using var tape = new Tape(recordGradients: false);
        return new ClassificationBatch(examples).Loss(tape, model).Value.Span[0];
    }

    [Fact]
    public void AFewStepsLowerTheTrainingLoss()
    {
        // Sixteen trees, one batch each step: the loss on them must fall well below chance (ln 10 ≈ 2.30).
        var trainer = NewTrainer(steps: 40, trainCount: 16);
        var seen = Encode(Data.Train.Take(16));
        float before = MeanLoss(trainer.Model, seen);
        for (int i = 0; i < 40; i++) trainer.TrainStep();
        float after = MeanLoss(trainer.Model, seen);
        Assert.True(after < before - 0.5f, $"loss {before:F4} -> {after:F4}");
    }

    [Fact]
    public void OneSeedGivesTheSameRun()
    {
        var a = NewTrainer();
        var b = NewTrainer();
        for (int i = 0; i < 5; i++) Assert.Equal(a.TrainStep(), b.TrainStep());
    }

    [Fact]
    public void RunEvaluatesAndSavesALoadableCheckpoint()
    {
        var trainer = NewTrainer(steps: 20);
        var events = new List<ClassificationEvent>();
        trainer.Run(_dir, events.Add);
        Assert.Equal(20, trainer.Step);
        Assert.Equal([10, 20], events.Where(e => e.ValAccuracy != null).Select(e => e.Step));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_dir, "log.jsonl")).Length);
        var (model, vocabulary) = ClassifierCheckpoint.Load(Path.Combine(_dir, "model"));
        Assert.Equal(ListOpsVocabulary.Tokens, vocabulary);
        var valid = Encode(Data.Valid);
        Assert.Equal(trainer.ValAccuracy, ClassificationTrainer.Accuracy(model, valid));
        Assert.Equal(ClassificationTrainer.Accuracy(trainer.Model, valid, batchSize: 5), ClassificationTrainer.Accuracy(model, valid, batchSize: 64));
    }

    [Fact]
    public void RejectsExamplesTheModelCannotTake()
    {
        var config = new SequenceClassifierConfig(1, 1, 4, 4, 3, ListOpsVocabulary.Size, 10);
        var model = new SequenceClassifier(config, 1);
        var e = Assert.Throws<ArgumentException>(() => new ClassificationTrainer(model, ListOpsVocabulary.Tokens,
            [new([1, 2], 3), new([1, 2, 3, 4], 1)], [], new ClassificationTrainingOptions()));
        Assert.Contains("training example 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ClassificationTrainer(model, ListOpsVocabulary.Tokens, [new([1, 2], 3)], [new([1], 10)], new ClassificationTrainingOptions()));
        Assert.Contains("label 10", e.Message);
    }
}
