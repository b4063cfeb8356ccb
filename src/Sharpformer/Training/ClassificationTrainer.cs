using System.Diagnostics;
using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>What the classification trainer reports: a step, or (with <see cref="ValAccuracy"/>) an evaluation.</summary>
public sealed record ClassificationEvent(int Step, int TotalSteps, float Loss, float LearningRate, TimeSpan Elapsed, double? ValAccuracy = null);

/// <summary>
/// Trains a sequence classifier: epochs of shuffled fixed-size batches padded to their longest sequence,
/// cross-entropy, AdamW with warm-up and a cosine or inverse-square-root schedule, global-norm clipping, and at
/// each evaluation the validation accuracy; with an output folder it saves the model there after each evaluation.
/// </summary>
public sealed class ClassificationTrainer
{
    public SequenceClassifier Model { get; }
    public ClassificationTrainingOptions Options { get; }
    public AdamWOptimizer Optimizer { get; }
    public int Step => Optimizer.Step;
    public double ValAccuracy { get; private set; } = double.NaN;

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
        Optimizer.ClipAndUpdate(Options.GradClip, _schedule.At(Step));
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

    /// <summary>Trains until max_steps, evaluating every eval_interval steps and at the end.</summary>
    public void Run(string? outDir, Action<ClassificationEvent>? report = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            bool last = Step >= Options.Steps;
            if ((Step % Options.EvalInterval == 0 && Step > 0) || last) Evaluate(outDir, report, clock.Elapsed);
            if (last) break;
            float lr = _schedule.At(Step);
            float loss = TrainStep();
            report?.Invoke(new ClassificationEvent(Step, Options.Steps, loss, lr, clock.Elapsed));
        }
    }

    private void Evaluate(string? outDir, Action<ClassificationEvent>? report, TimeSpan elapsed)
    {
        ValAccuracy = Accuracy(Model, _valid, Options.BatchSize);
        report?.Invoke(new ClassificationEvent(Step, Options.Steps, float.NaN, _schedule.At(Step), elapsed, ValAccuracy));
        if (outDir == null) return;
        ClassifierCheckpoint.Save(Path.Combine(outDir, "model"), Model, _vocabulary, new ClassificationState(Step, ValAccuracy, Options.ToJson()));
        var line = JsonSerializer.Serialize(new { step = Step, val_accuracy = ValAccuracy, elapsed_s = Math.Round(elapsed.TotalSeconds, 2) }, Checkpoint.JsonOptions);
        File.AppendAllText(Path.Combine(outDir, "log.jsonl"), line + Environment.NewLine);
    }
}
