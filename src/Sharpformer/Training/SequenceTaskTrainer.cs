using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>Answer accuracy (scored positions whose arg-max logit is the target) and mean loss over the held-out set.</summary>
public sealed record SequenceTaskScore(double Accuracy, int Correct, int Scored, float Loss);

/// <summary>
/// Trains a <see cref="Gpt"/> from scratch on fresh sequences of a synthetic task — every step draws a new
/// batch, so there is no epoch and no overfitting to a fixed set — with AdamW, warm-up + cosine and
/// global-norm clipping, the loss counting only the scored positions (the rest carry the ignore index).
/// Scores answer accuracy on a held-out set drawn once from a seed of its own.
/// </summary>
public sealed class SequenceTaskTrainer
{
    public Gpt Model { get; }
    public ISequenceTask Task { get; }
    public SequenceTaskTrainingOptions Options { get; }
    public AdamWOptimizer Optimizer { get; }
    public int Step => Optimizer.Step;

    private readonly ILearningRateSchedule _schedule;
    private readonly Rng _rng;
    private readonly int[] _inputs, _targets;                 // (B, T) each
    private readonly int[] _heldOutInputs, _heldOutTargets;   // (EvalSequences, T) each

    public SequenceTaskTrainer(Gpt model, ISequenceTask task, SequenceTaskTrainingOptions options)
    {
        if (model.Config.BlockSize < task.Length)
            throw new ArgumentException($"{task.Name}: sequences of {task.Length} tokens exceed the model's block size {model.Config.BlockSize}.");
        if (model.Config.VocabSize < task.VocabSize)
            throw new ArgumentException($"{task.Name}: {task.VocabSize} token ids exceed the model's vocabulary of {model.Config.VocabSize}.");
        Model = model;
        Task = task;
        Options = options.Validated();
        _schedule = Options.Schedule();
        // Rng(seed) itself initialised the weights; the training sequences come from its second stream.
        _rng = Rng.SecondStream(Options.Seed);
        Optimizer = new AdamWOptimizer(model.NamedParameters(), 0.9f, 0.99f, 1e-8f, Options.WeightDecay);
        _inputs = new int[Options.Batch * task.Length];
        _targets = new int[Options.Batch * task.Length];
        _heldOutInputs = new int[Options.EvalSequences * task.Length];
        _heldOutTargets = new int[Options.EvalSequences * task.Length];
        Fill(new Rng(Options.HeldOutSeed), _heldOutInputs, _heldOutTargets);
    }

    /// <summary>One optimizer step on a fresh batch; returns its loss.</summary>
    public float TrainStep()
    {
        Fill(_rng, _inputs, _targets);
        using var tape = new Tape();
        var logits = Model.Forward(tape, _inputs, Options.Batch, Task.Length);   // (B, T, V)
        var loss = tape.CrossEntropy(logits, _targets, ISequenceTask.IgnoreIndex);
        float value = loss.Value.Span[0];
        tape.Backward(loss);
        Optimizer.ClipAndUpdate(Options.GradClip, _schedule.At(Step));
        return value;
    }

    /// <summary>Trains until the configured step count, reporting (step, loss, learning rate) after each step.</summary>
    public void Run(Action<int, float, float>? report = null)
    {
        while (Step < Options.Steps)
        {
            float lr = _schedule.At(Step);
            float loss = TrainStep();
            report?.Invoke(Step, loss, lr);
        }
    }

    /// <summary>Scores the held-out set in batches of the training batch size.</summary>
    public SequenceTaskScore Evaluate()
    {
        int t = Task.Length, v = Model.Config.VocabSize;
        int correct = 0, scored = 0;
        double lossSum = 0;
        using var tape = new Tape(recordGradients: false);
        for (int first = 0; first < Options.EvalSequences; first += Options.Batch)
        {
            int b = Math.Min(Options.Batch, Options.EvalSequences - first);
            var inputs = _heldOutInputs.AsSpan(first * t, b * t);
            var targets = _heldOutTargets.AsSpan(first * t, b * t);
            var logits = Model.Forward(tape, inputs, b, t);                      // (b, T, V)
            int counted = Count(targets);
            lossSum += tape.CrossEntropy(logits, targets, ISequenceTask.IgnoreIndex).Value.Span[0] * counted;
            scored += counted;
            correct += CountCorrect(logits.Value.Span, targets, v);
            tape.Reset();
        }
        return new SequenceTaskScore(scored == 0 ? 0 : (double)correct / scored, correct, scored, scored == 0 ? 0f : (float)(lossSum / scored));
    }

    private void Fill(Rng rng, int[] inputs, int[] targets)
    {
        int t = Task.Length;
        for (int s = 0; s < inputs.Length / t; s++)
            Task.Sample(rng, inputs.AsSpan(s * t, t), targets.AsSpan(s * t, t));
    }

    private static int Count(ReadOnlySpan<int> targets)
    {
        int n = 0;
        foreach (int target in targets) if (target != ISequenceTask.IgnoreIndex) n++;
        return n;
    }

    // logits: (rows, V), one row per target; a tie goes to the lower id.
    private static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int v)
    {
        int correct = 0;
        for (int row = 0; row < targets.Length; row++)
        {
            if (targets[row] == ISequenceTask.IgnoreIndex) continue;
            var scores = logits.Slice(row * v, v);
            int best = 0;
            for (int id = 1; id < v; id++) if (scores[id] > scores[best]) best = id;
            if (best == targets[row]) correct++;
        }
        return correct;
    }
}
