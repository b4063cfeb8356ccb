using System.Text.Json;
using Sharpformer.Data;
using Sharpformer.Data.ListOps;
using Sharpformer.Data.Recall;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

/// <summary>
/// Every trainer under a time limit, with a clock that advances one second at each reading (the trainers read
/// it when a run starts and after each step), so that the time limit binds at a known step: 12 scheduled steps,
/// a 9-second limit, hence a stop by time after 9 steps with the whole schedule run at 12/9 of its pace.
/// </summary>
public sealed class BudgetedTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-budget-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const int Steps = 12, StopAt = 5;
    private const double Limit = 9;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private const string Text = "the quick brown fox jumps over the lazy dog. a stitch in time saves nine. ";
    private static readonly string Corpus = string.Concat(Enumerable.Repeat(Text, 20));

    private static GptTrainer NewGpt(double timeLimit = Limit)
    {
        var tokenizer = CharTokenizer.FromText(Text);
        var config = new GptConfig(2, 2, 16, 8, tokenizer.VocabSize, Dropout: 0.1f);
        var options = new GptTrainingOptions
        {
            Steps = Steps, TimeLimitSeconds = timeLimit, Batch = 4, WarmupSteps = 3, EvalInterval = 4, EvalBatches = 2, Seed = 5, MaxLr = 3e-3f, MinLr = 3e-4f,
        };
        var trainer = new GptTrainer(new Gpt(config, 5), tokenizer, new TokenBatches(tokenizer.Encode(Corpus), options.TrainFraction, config.BlockSize), options);
        trainer.Clock = new SteppingClock(Tick).Read;
        return trainer;
    }

    private static float[] Weights(Sharpformer.Nn.Module model) => model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    private string LastLogLine() => File.ReadLines(Path.Combine(_dir, "log.jsonl")).Last();

    [Fact]
    public void GptRunEndsByTimeAnnealedAndAResumedRunEqualsItBitForBit()
    {
        var straight = NewGpt();
        var rates = new List<float>();
        var losses = new List<float>();
        straight.Run(null, e => { if (e.ValLoss is null) { rates.Add(e.LearningRate); losses.Add(e.Loss); } });
        Assert.Equal(StopReason.Time, straight.StoppedBy);
        Assert.Equal(9, straight.Step);
        Assert.Equal(TimeSpan.FromSeconds(Limit), straight.Elapsed);
        Assert.Equal(1, straight.Progress);
        // Step s ran at schedule position max(s, s·12/9): the warm-up and the decay compressed into nine steps.
        var schedule = straight.Options.Schedule();
        Assert.Equal(Enumerable.Range(0, 9).Select(s => schedule.At(s / Limit * Steps)), rates);
        Assert.Equal(straight.Options.MinLr, straight.LearningRate);   // the floor exactly when the time is used

        var first = NewGpt();
        first.Run(_dir, untilStep: StopAt);
        Assert.Equal(StopReason.Requested, first.StoppedBy);
        Assert.Equal(TimeSpan.FromSeconds(StopAt), first.Elapsed);
        var resumed = GptTrainer.Resume(Path.Combine(_dir, "last"), tok => tok.Encode(Corpus));
        Assert.Equal(TimeSpan.FromSeconds(StopAt), resumed.Elapsed);   // the training time is part of the checkpoint
        resumed.Clock = new SteppingClock(Tick).Read;
        var resumedLosses = new List<float>();
        resumed.Run(_dir, e => { if (e.ValLoss is null) resumedLosses.Add(e.Loss); });
        Assert.Equal(StopReason.Time, resumed.StoppedBy);
        Assert.Equal(9, resumed.Step);
        Assert.Equal(straight.Elapsed, resumed.Elapsed);
        Assert.Equal(Weights(straight.Model), Weights(resumed.Model));
        Assert.Equal(losses.Skip(StopAt).Select(BitConverter.SingleToInt32Bits), resumedLosses.Select(BitConverter.SingleToInt32Bits));
        using var last = JsonDocument.Parse(LastLogLine());
        Assert.Equal("time", last.RootElement.GetProperty("stopped_by").GetString());
        Assert.Equal(9, last.RootElement.GetProperty("step").GetInt32());
    }

    [Fact]
    public void GptRunWithAFarTimeLimitEqualsTheRunWithoutOne()
    {
        var unlimited = NewGpt(timeLimit: 0);
        unlimited.Run(null);
        var far = NewGpt(timeLimit: 3600);
        far.Run(null);
        Assert.Equal(StopReason.Steps, unlimited.StoppedBy);
        Assert.Equal(StopReason.Steps, far.StoppedBy);
        Assert.Equal(Steps, far.Step);
        Assert.Equal(Weights(unlimited.Model), Weights(far.Model));
    }

    private static readonly SentencePair[] Pairs =
    [
        new("a cat", "кот"), new("a dog", "пёс"), new("the cat", "этот кот"), new("the dog", "этот пёс"),
        new("big cat", "большой кот"), new("big dog", "большой пёс"), new("small cat", "малый кот"), new("small dog", "малый пёс"),
    ];

    private static TranslationTrainer NewTranslator()
    {
        var vocab = new TranslationVocabulary(CharTokenizer.FromText(string.Concat(Pairs.Select(p => p.Source + p.Target))));
        var config = new TranslatorConfig(1, 1, 2, 16, 32, 24, vocab.Size, vocab.Size, Dropout: 0.1f);
        var options = new TranslationTrainingOptions
        {
            Steps = Steps, TimeLimitSeconds = Limit, BatchTokens = 40, WarmupSteps = 2, EvalInterval = 4, EvalSentences = 4, MaxLr = 3e-3f, Seed = 4,
        };
        return new TranslationTrainer(new Translator(config, 4), vocab, vocab, Pairs, Pairs[..4], options) { Clock = new SteppingClock(Tick).Read };
    }

    [Fact]
    public void TranslationRunEndsByTimeAndAResumedRunEqualsItBitForBit()
    {
        var straight = NewTranslator();
        var losses = new List<float>();
        straight.Run(null, e => { if (e.Bleu is null) losses.Add(e.Loss); });
        Assert.Equal(StopReason.Time, straight.StoppedBy);
        Assert.Equal(9, straight.Step);
        Assert.Equal(straight.Options.MinLr, straight.LearningRate);

        var first = NewTranslator();
        first.Run(_dir, untilStep: StopAt);
        var resumed = TranslationTrainer.Resume(Path.Combine(_dir, "last"), Pairs, Pairs[..4]);
        Assert.Equal(TimeSpan.FromSeconds(StopAt), resumed.Elapsed);
        resumed.Clock = new SteppingClock(Tick).Read;
        var resumedLosses = new List<float>();
        resumed.Run(_dir, e => { if (e.Bleu is null) resumedLosses.Add(e.Loss); });
        Assert.Equal(StopReason.Time, resumed.StoppedBy);
        Assert.Equal(9, resumed.Step);
        Assert.Equal(straight.Elapsed, resumed.Elapsed);
        Assert.Equal(Weights(straight.Model), Weights(resumed.Model));
        Assert.Equal(losses.Skip(StopAt).Select(BitConverter.SingleToInt32Bits), resumedLosses.Select(BitConverter.SingleToInt32Bits));
        using var last = JsonDocument.Parse(LastLogLine());
        Assert.Equal("time", last.RootElement.GetProperty("stopped_by").GetString());
    }

    [Fact]
    public void ClassificationRunEndsByTimeAtTheFloor()
    {
        var data = ListOpsGenerator.Generate(new ListOpsGeneratorOptions { MaxDepth = 2, MaxArgs = 3, MinLength = 3, MaxLength = 10, TrainCount = 64, ValidCount = 8, TestCount = 8, Seed = 2 });
        var train = data.Train.Select(e => e.Encode()).ToList();
        var valid = data.Valid.Select(e => e.Encode()).ToList();
        var config = new SequenceClassifierConfig(1, 2, 8, 16, train.Concat(valid).Max(e => e.Tokens.Length), ListOpsVocabulary.Size, 10);
        var options = new ClassificationTrainingOptions { Steps = Steps, TimeLimitSeconds = Limit, BatchSize = 8, WarmupSteps = 2, EvalInterval = 4 };
        var trainer = new ClassificationTrainer(new SequenceClassifier(config, 1), ListOpsVocabulary.Tokens, train, valid, options) { Clock = new SteppingClock(Tick).Read };
        var rates = new List<float>();
        trainer.Run(_dir, e => { if (e.ValAccuracy is null) rates.Add(e.LearningRate); });
        Assert.Equal(StopReason.Time, trainer.StoppedBy);
        Assert.Equal(9, rates.Count);
        var schedule = options.CreateSchedule();
        Assert.Equal(Enumerable.Range(0, 9).Select(s => schedule.At(s / Limit * Steps)), rates);
        Assert.Equal(options.MinLr, trainer.LearningRate);
        Assert.Contains("\"stopped_by\":\"time\"", LastLogLine());
    }

    [Fact]
    public void SequenceTaskRunEndsByTimeAtTheFloor()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 16, Pairs = 2, Keys = 4, Values = 4 });
        var options = new SequenceTaskTrainingOptions { Steps = Steps, TimeLimitSeconds = Limit, Batch = 4, WarmupSteps = 2, EvalSequences = 4 };
        var trainer = new SequenceTaskTrainer(new Gpt(new GptConfig(1, 2, 8, task.Length, task.VocabSize), 1), task, options) { Clock = new SteppingClock(Tick).Read };
        var rates = new List<float>();
        trainer.Run((_, _, lr) => rates.Add(lr));
        Assert.Equal(StopReason.Time, trainer.StoppedBy);
        Assert.Equal(9, trainer.Step);
        var schedule = options.Schedule();
        Assert.Equal(Enumerable.Range(0, 9).Select(s => schedule.At(s / Limit * Steps)), rates);
        Assert.Equal(options.MinLr, trainer.LearningRate);
        Assert.Equal(1, trainer.Progress);
    }

    [Fact]
    public void SequenceTaskCurriculumDecaysOverTheTimeLeftAtFullLength()
    {
        // Every answer is token 1: the first length is learned in a few steps; the rest of the time then trains at T.
        var task = new ConstantAnswer(16);
        var options = new SequenceTaskTrainingOptions
        {
            Steps = 1000, TimeLimitSeconds = 60, Batch = 4, MaxLr = 1e-2f, MinLr = 1e-3f, WarmupSteps = 2, StartLength = 8, EvalSequences = 4,
        };
        var trainer = new SequenceTaskTrainer(new Gpt(new GptConfig(1, 1, 8, task.Length, task.VocabSize), 1), task, options) { Clock = new SteppingClock(Tick).Read };
        var rates = new List<float>();
        int? fullFrom = null;
        trainer.Run((step, _, lr) =>
        {
            rates.Add(lr);
            if (fullFrom is null && trainer.CurrentLength == task.Length) fullFrom = step;
        });
        Assert.NotNull(fullFrom);
        Assert.Equal(StopReason.Time, trainer.StoppedBy);
        Assert.Equal(60, trainer.Step);
        Assert.Equal(options.MaxLr, rates[fullFrom.Value]);        // the peak where T is reached
        Assert.Equal(options.MinLr, trainer.LearningRate);         // the floor when the time is used
        for (int i = fullFrom.Value + 1; i < rates.Count; i++) Assert.True(rates[i] < rates[i - 1]);
    }

    private sealed class ConstantAnswer(int length) : Sharpformer.Data.ISequenceTask
    {
        public string Name => "constant";
        public int Length => length;
        public int VocabSize => 3;
        public double ChanceAccuracy => 1.0 / 3;
        public Sharpformer.Data.ISequenceTask WithLength(int newLength) => new ConstantAnswer(newLength);

        public void Sample(Sharpformer.Tensors.Rng rng, Span<int> inputs, Span<int> targets)
        {
            inputs.Fill(0);
            targets.Fill(Sharpformer.Data.ISequenceTask.IgnoreIndex);
            targets[^1] = 1;
        }
    }
}
