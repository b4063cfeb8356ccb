using Sharpformer.Data;
using Sharpformer.Data.Recall;
using Sharpformer.Models;
using Sharpformer.Tensors;
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
        Assert.Equal((double)after.Correct / after.Scored, after.Accuracy);
        Assert.True(after.Correct > before.Correct, $"held-out answers right: {before.Correct} -> {after.Correct} of {after.Scored}");

        var b = NewTrainer();
        b.Run();
        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(after, b.Evaluate());
    }

    [Fact]
    public void CurriculumGrowsTheLengthOnceAnsweredThenTrainsTheGivenStepsAtFullLength()
    {
        // One hop of attention answers keyed recall; at length 16 a fresh model learns it in a few hundred steps.
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 64, Pairs = 2, Keys = 4, Values = 4, KeyedValues = true });
        var model = new Gpt(new GptConfig(1, 2, 32, task.Length, task.VocabSize), 3);
        var options = new SequenceTaskTrainingOptions
        {
            Steps = 3000, Batch = 8, MaxLr = 3e-3f, MinLr = 3e-4f, WarmupSteps = 20, Seed = 3, EvalSequences = 32,
            StartLength = 16, StepsAtFullLength = 30,
        };
        var trainer = new SequenceTaskTrainer(model, task, options);
        Assert.Equal(16, trainer.CurrentLength);

        var lengths = new List<int> { trainer.CurrentLength };
        var rates = new List<float>();
        trainer.Run((_, _, lr) =>
        {
            rates.Add(lr);
            if (trainer.CurrentLength != lengths[^1]) lengths.Add(trainer.CurrentLength);
        });

        Assert.Equal([16, 32, 64], lengths);
        Assert.True(trainer.Step < options.Steps, "the run ends once the steps at full length are spent");
        int fullFrom = trainer.Step - 30;
        // Warm-up, then the peak held until full length is reached, then the cosine down to the floor.
        Assert.All(rates.Skip(20).Take(fullFrom - 20), lr => Assert.Equal(options.MaxLr, lr));
        Assert.Equal(options.MaxLr, rates[fullFrom]);
        Assert.True(rates[^1] < 0.05f * options.MaxLr + options.MinLr, $"last rate {rates[^1]}");
        var score = trainer.Evaluate();
        Assert.True(score.Accuracy > 0.8, $"held-out accuracy at length 64: {score.Accuracy}");
    }

    /// <summary>Answers the last position with token 1 at length 8 or less (learnable), with a coin flip beyond (not).</summary>
    private sealed class LearnableOnlyShort(int length) : ISequenceTask
    {
        public string Name => "short-only";
        public int Length => length;
        public int VocabSize => 3;
        public double ChanceAccuracy => 0.5;
        public ISequenceTask WithLength(int newLength) => new LearnableOnlyShort(newLength);

        public void Sample(Rng rng, Span<int> inputs, Span<int> targets)
        {
            inputs.Fill(0);
            targets.Fill(ISequenceTask.IgnoreIndex);
            targets[^1] = length <= 8 ? 1 : 1 + rng.NextInt(2);
        }
    }

    [Fact]
    public void CurriculumMovesOnWhenTheStepsAtALengthAreSpent()
    {
        var task = new LearnableOnlyShort(32);
        var model = new Gpt(new GptConfig(1, 1, 8, 32, task.VocabSize), 1);
        var options = new SequenceTaskTrainingOptions { Steps = 1000, WarmupSteps = 0, StartLength = 8, StepsPerLength = 7, StepsAtFullLength = 5 };
        var trainer = new SequenceTaskTrainer(model, task, options);
        var lengths = new List<int>();
        trainer.Run((_, _, _) => lengths.Add(trainer.CurrentLength));

        int atEight = lengths.Count(l => l == 8) + 1;   // the report follows the step: the first step ran at 8 too
        Assert.Equal(8, trainer.LongestLearnedLength);
        Assert.Equal(7, lengths.Count(l => l == 16));
        Assert.Equal(atEight + 7 + 5, trainer.Step);
    }

    [Fact]
    public void CurriculumStartTooShortForTheTaskIsRejected()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 64, Pairs = 4 });
        var model = new Gpt(new GptConfig(1, 1, 8, 64, task.VocabSize), 1);
        var error = Assert.Throws<ArgumentException>(() => new SequenceTaskTrainer(model, task, new() { StartLength = 8 }));
        Assert.Contains("start length 8", error.Message);
    }

    [Fact]
    public void TasksAtAnotherLengthKeepEverythingElse()
    {
        var recall = new AssociativeRecall(new AssociativeRecallOptions { Length = 64, Pairs = 3, Keys = 5, Values = 7, KeyedValues = true });
        var shorter = Assert.IsType<AssociativeRecall>(recall.WithLength(32));
        Assert.Equal(recall.Options with { Length = 32 }, shorter.Options);
        var copy = Assert.IsType<CopyTask>(new CopyTask(64, 5, 9).WithLength(16));
        Assert.Equal((16, 5, 9), (copy.Length, copy.Segment, copy.Symbols));
    }

    [Fact]
    public void ModelTooSmallForTheTaskIsRejected()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 64, Pairs = 4 });
        var model = new Gpt(new GptConfig(1, 1, 8, 32, task.VocabSize), 1);
        Assert.Contains("block size", Assert.Throws<ArgumentException>(() => new SequenceTaskTrainer(model, task, new())).Message);
    }
}
