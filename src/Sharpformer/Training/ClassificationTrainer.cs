using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>
/// What the classification trainer reports: a step, or (with <see cref="ValAccuracy"/>) an evaluation.
/// <see cref="Progress"/> is the share of the budget used (see <see cref="TrainingBudget"/>).
/// </summary>
internal sealed record ClassificationEvent(int Step, int TotalSteps, float Loss, float LearningRate, TimeSpan Elapsed, double? ValAccuracy = null,
    double Progress = double.NaN);

/// <summary>
/// Trains a sequence classifier: epochs of shuffled fixed-size batches padded to their longest sequence,
/// cross-entropy, AdamW with warm-up and a cosine or inverse-square-root schedule, global-norm clipping, and at
/// each evaluation the validation accuracy; with an output folder it saves the model there after each evaluation.
/// With a time limit the schedule follows the budget (<see cref="TrainingBudget"/>).
/// </summary>
internal sealed class ClassificationTrainer
{
    public SequenceClassifier Model { get; }
    public ClassificationTrainingOptions Options { get; }
    public AdamWOptimizer Optimizer { get; }
    public int Step => Optimizer.Step;
    public double ValAccuracy { get; private set; } = double.NaN;

    /// <summary>The clock the time limit is measured by (<see cref="TrainingTimer"/>); the wall clock unless a test sets another.</summary>
    public Func<TimeSpan> Clock { get; set; } = TrainingTimer.WallClock;

    /// <summary>Training time spent: what the time limit counts.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Which bound ended the last <see cref="Run"/>.</summary>
    public StopReason? StoppedBy { get; private set; }

    public TrainingBudget Budget { get; }

    /// <summary>The share of the budget used: max(step / max_steps, elapsed / time_limit_s).</summary>
    public double Progress => Budget.Progress(Step, Elapsed);

    /// <summary>The learning rate of the next step: the schedule at the budget's position.</summary>
    public float LearningRate => _schedule.At(Budget.ScheduleStep(Step, Elapsed));

    private readonly IReadOnlyList<ClassificationExample> _train, _valid;
    private readonly IReadOnlyList<string> _vocabulary;
    private readonly ILearningRateSchedule _schedule;
    private readonly Rng _orderRng, _dropoutRng;
    private readonly int[] _order;
    private int _next;

    public ClassificationTrainer(SequenceClassifier model, IReadOnlyList<string> vocabulary, IReadOnlyList<ClassificationExample> train,
        IReadOnlyList<ClassificationExample> valid, ClassificationTrainingOptions options)
    {
        Model = model;
        Options = options.Validated();
        if (train.Count == 0) throw new ArgumentException("Classification training needs at least one training example.", nameof(train));
        Check(train, "training");
        Check(valid, "validation");
        (_train, _valid, _vocabulary) = (train, valid, vocabulary);
        _schedule = options.CreateSchedule();
        Budget = options.Budget();
        // The data order draws from its own stream: Rng(seed) itself initialised the weights.
        _orderRng = Rng.SecondStream(options.Seed);
        _dropoutRng = new Rng(options.Seed ^ 0xD0D0_D0D0UL);
        Optimizer = new AdamWOptimizer(model.NamedParameters(), options.Beta1, options.Beta2, 1e-8f, options.WeightDecay);
        _order = Enumerable.Range(0, train.Count).ToArray();
        _next = _order.Length;
    }

    private void Check(IReadOnlyList<ClassificationExample> examples, string split)
    {
        var config = Model.Config;
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (e.Tokens.Length is 0 || e.Tokens.Length > config.MaxLength)
                throw new ArgumentException($"{split} example {i + 1} has {e.Tokens.Length} tokens; the model takes 1 to max_length {config.MaxLength}.");
            if ((uint)e.Label >= (uint)config.Classes)
                throw new ArgumentException($"{split} example {i + 1} has label {e.Label}; the model has {config.Classes} classes.");
        }
    }

    /// <summary>The next batch of a shuffled pass over the training set; a new pass reshuffles.</summary>
    private ClassificationBatch NextBatch()
    {
        var picked = new ClassificationExample[Math.Min(Options.BatchSize, _train.Count)];
        for (int i = 0; i < picked.Length; i++)
        {
            if (_next == _order.Length) { Shuffle(); _next = 0; }
            picked[i] = _train[_order[_next++]];
        }
        return new ClassificationBatch(picked);
    }

    private void Shuffle()
    {
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = _orderRng.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>One optimizer step on the next batch; returns its mean loss.</summary>
    public float TrainStep()
    {
        var batch = NextBatch();
        using var tape = new Tape();
        var loss = batch.Loss(tape, Model, Model.Config.Dropout > 0 ? _dropoutRng : null);
        tape.Backward(loss);
        float value = loss.Value.Span[0];
        tape.Reset();
        Optimizer.ClipAndUpdate(Options.GradClip, LearningRate, value);
        return value;
    }

    /// <summary>
    /// The share of examples whose predicted class is their label. Batches group similar lengths to spend little
    /// on padding, which the mask keeps out of every prediction.
    /// </summary>
    public static double Accuracy(SequenceClassifier model, IReadOnlyList<ClassificationExample> examples, int batchSize = 64)
    {
        if (examples.Count == 0) return double.NaN;
        int correct = 0;
        using var tape = new Tape(recordGradients: false);
        foreach (var chunk in examples.OrderBy(e => e.Tokens.Length).Chunk(batchSize))
        {
            var batch = new ClassificationBatch(chunk);
            var predicted = batch.Predict(tape, model);
            for (int b = 0; b < batch.Size; b++) if (predicted[b] == batch.Labels[b]) correct++;
            tape.Reset();
        }
        return (double)correct / examples.Count;
    }

    /// <summary>Trains until the budget is spent (max_steps or time_limit_s), evaluating every eval_interval steps and at the end.</summary>
    public void Run(string? outDir, Action<ClassificationEvent>? report = null)
    {
        var timer = new TrainingTimer(Clock);
        timer.Start(Elapsed);
        StoppedBy = null;
        while (true)
        {
            var stop = Budget.Spent(Step, Elapsed);
            if ((Step % Options.EvalInterval == 0 && Step > 0) || stop != null) Evaluate(outDir, report, stop);
            if (stop != null) { StoppedBy = stop; break; }
            float lr = LearningRate;
            float loss = TrainStep();
            Elapsed = timer.Lap();
            report?.Invoke(new ClassificationEvent(Step, Options.Steps, loss, lr, Elapsed, Progress: Progress));
        }
    }

    private void Evaluate(string? outDir, Action<ClassificationEvent>? report, StopReason? stop)
    {
        ValAccuracy = Accuracy(Model, _valid, Options.BatchSize);
        report?.Invoke(new ClassificationEvent(Step, Options.Steps, float.NaN, LearningRate, Elapsed, ValAccuracy, Progress));
        if (outDir == null) return;
        ClassifierCheckpoint.Save(Path.Combine(outDir, "model"), Model, _vocabulary, new ClassificationState(Step, ValAccuracy, Options.ToJson()));
        var line = Checkpoint.LogLine(new ClassificationLogLine(Step, ValAccuracy, Math.Round(Elapsed.TotalSeconds, 2), Math.Round(Progress, 4),
            stop is StopReason r ? TrainingBudget.Name(r) : null));
        File.AppendAllText(Path.Combine(outDir, "log.jsonl"), line + Environment.NewLine);
    }
}
