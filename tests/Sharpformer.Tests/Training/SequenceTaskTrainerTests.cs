using Sharpformer.Data.Recall;
using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

public class SequenceTaskTrainerTests
{
    private static SequenceTaskTrainer NewTrainer(ulong seed = 1, string attention = "flash")
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 32, Pairs = 4, Keys = 8, Values = 8 });
        var model = new Gpt(new GptConfig(1, 2, 16, task.Length, task.VocabSize, Attention: attention), seed);
        return new SequenceTaskTrainer(model, task, new SequenceTaskTrainingOptions { Steps = 40, Batch = 8, WarmupSteps = 4, Seed = seed, EvalSequences = 16 });
    }

    private static float[] Weights(SequenceTaskTrainer t) => t.Model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    [Fact]
    public void LossFallsAndTheSameSeedGivesTheSameBits()
    {
        var a = NewTrainer();
        var before = a.Evaluate();
        var losses = new List<float>();
        a.Run((_, loss, _) => losses.Add(loss));
        var after = a.Evaluate();
        Assert.Equal(40, losses.Count);
        Assert.Equal(16 * 4, after.Scored);
        Assert.True(after.Loss < before.Loss - 0.4f, $"held-out loss {before.Loss} -> {after.Loss}");
        Assert.InRange(after.Accuracy, 0, 1);

        var b = NewTrainer();
        b.Run();
        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(after, b.Evaluate());
    }

    [Fact]
    public void ModelTooSmallForTheTaskIsRejected()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 64, Pairs = 4 });
        var model = new Gpt(new GptConfig(1, 1, 8, 32, task.VocabSize), 1);
        Assert.Contains("block size", Assert.Throws<ArgumentException>(() => new SequenceTaskTrainer(model, task, new())).Message);
    }
}
