using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>Answer accuracy (scored positions whose arg-max logit is the target) and mean loss over the held-out set.</summary>
internal sealed record SequenceTaskScore(double Accuracy, int Correct, int Scored, float Loss);

/// <summary>
/// Trains a <see cref="Gpt"/> from scratch on fresh sequences of a synthetic task — every step draws a new
/// batch, so there is no epoch and no overfitting to a fixed set — with AdamW, warm-up + cosine and
/// global-norm clipping, the loss counting only the scored positions (the rest carry the ignore index).
/// Scores answer accuracy on a held-out set drawn once from a seed of its own.
/// <para>
/// With <see cref="SequenceTaskTrainingOptions.StartLength"/> training begins with a length curriculum: the
/// task at StartLength, then twice that, and so on below T, moving on once the answer accuracy of the last
/// <see cref="CurriculumWindow"/> training batches reaches <see cref="SequenceTaskTrainingOptions.AdvanceAccuracy"/>;
/// past the first length, <see cref="SequenceTaskTrainingOptions.StepsPerLength"/> caps the steps at each length,
/// so that a variant that cannot learn some length still reaches T. Then
/// <see cref="SequenceTaskTrainingOptions.StepsAtFullLength"/> steps (or the rest of the budget) train at T.
/// The learning rate warms up and holds its peak through the curriculum, whose length is not known in
/// advance, and decays by the cosine over the steps at T (or, with a time limit, over what is left of it when T is
/// reached, whichever is spent first; see <see cref="TrainingBudget"/>). Short sequences put the answer a few tokens from
/// its question, where a fresh model's nearly uniform attention still sees it; the longer ones then teach it
/// to find the same content far away. Held-out sequences always have length T.
/// </para>
/// </summary>
internal sealed class SequenceTaskTrainer
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
    private readonly ISequenceTask[] _stages;   // the curriculum's lengths in order, the task itself last
    private int _stage, _stageFrom;   // the current length's index, and the step it began at
    private int? _fullLengthFrom;   // the step at which training reached T through the curriculum
    private CosineSchedule? _fullLengthSchedule;   // the decay over the steps at T, counted from _fullLengthFrom
    private TimeSpan _fullLengthElapsed;   // the training time when T was reached (read after that step)
    private readonly Queue<(int Correct, int Scored)> _recent = new();

    /// <summary>Training batches whose answer accuracy decides when the curriculum moves on.</summary>
    public const int CurriculumWindow = 10;

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
        Budget = Options.Budget();
        // Rng(seed) itself initialised the weights; the training sequences come from its second stream.
        _rng = Rng.SecondStream(Options.Seed);
        Optimizer = new AdamWOptimizer(model.NamedParameters(), 0.9f, 0.99f, 1e-8f, Options.WeightDecay);
        _stages = Stages(task, Options);
        _inputs = new int[Options.Batch * task.Length];
        _targets = new int[Options.Batch * task.Length];
        _heldOutInputs = new int[Options.EvalSequences * task.Length];
        _heldOutTargets = new int[Options.EvalSequences * task.Length];
        Fill(task, new Rng(Options.HeldOutSeed), _heldOutInputs, _heldOutTargets);
    }

    /// <summary>The clock the time limit is measured by (<see cref="TrainingTimer"/>); the wall clock unless a test sets another.</summary>
    public Func<TimeSpan> Clock { get; set; } = TrainingTimer.WallClock;

    /// <summary>Training time spent by <see cref="Run"/>: what the time limit counts.</summary>
    public TimeSpan Elapsed { get; private set; }

    public TrainingBudget Budget { get; }

    /// <summary>Which bound ended <see cref="Run"/> (the steps also when those at full length are spent).</summary>
    public StopReason? StoppedBy => Budget.Spent(Step, Elapsed) ?? (FullLengthSpent ? StopReason.Steps : null);

    /// <summary>True once the budget, or the steps (or time) at full length after a curriculum, are spent.</summary>
    public bool Finished => StoppedBy != null;

    private bool FullLengthSpent => _fullLengthFrom is int from && FullLengthBudget(from).Spent(Step - from, Elapsed - _fullLengthElapsed) != null;

    /// <summary>
    /// The share of the budget used; once a curriculum has reached T, the larger of that and the share of the
    /// steps (or time) at full length.
    /// </summary>
    public double Progress => _fullLengthFrom is int from
        ? Math.Max(Budget.Progress(Step, Elapsed), FullLengthBudget(from).Progress(Step - from, Elapsed - _fullLengthElapsed))
        : Budget.Progress(Step, Elapsed);

    /// <summary>The learning rate of the next step.</summary>
    public float LearningRate
    {
        get
        {
            if (_stages.Length == 1) return _schedule.At(Budget.ScheduleStep(Step, Elapsed));
            if (_fullLengthFrom is not int from) return _schedule.At(Math.Min(Budget.ScheduleStep(Step, Elapsed), Options.WarmupSteps));
            return _fullLengthSchedule!.At(FullLengthBudget(from).ScheduleStep(Step - from, Elapsed - _fullLengthElapsed));
        }
    }

    private int StepsAtFullLength(int from) => Math.Min(Options.StepsAtFullLength ?? int.MaxValue, Options.Steps - from);

    // The steps at T, and with a time limit what was left of it when T was reached (at least a tick).
    private TrainingBudget FullLengthBudget(int from) => new(StepsAtFullLength(from),
        Budget.TimeLimit is TimeSpan limit ? TimeSpan.FromTicks(Math.Max(1, (limit - _fullLengthElapsed).Ticks)) : null);

    /// <summary>The length the next step trains at (T once any curriculum is over).</summary>
    public int CurrentLength => _stages[_stage].Length;

    private static ISequenceTask[] Stages(ISequenceTask task, SequenceTaskTrainingOptions options)
    {
        var stages = new List<ISequenceTask>();
        if (options.StartLength is int start)
            for (long length = start; length < task.Length; length *= 2)
            {
                try { stages.Add(task.WithLength((int)length)); }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"{task.Name}: the curriculum's start length {start} is too short: {e.Message}");
                }
            }
        stages.Add(task);
        return stages.ToArray();
    }

    /// <summary>The longest curriculum length at which the training answers reached the advance accuracy (null: none yet).</summary>
    public int? LongestLearnedLength { get; private set; }

    // Moves to the next length once the recent training batches answer well enough, or, past the first
    // length, once the steps allowed at a length are spent.
    private void Advance(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets)
    {
        _recent.Enqueue((CountCorrect(logits, targets, Model.Config.VocabSize), Count(targets)));
        if (_recent.Count > CurriculumWindow) _recent.Dequeue();
        int correct = 0, scored = 0;
        foreach (var (c, n) in _recent) { correct += c; scored += n; }
        bool learned = _recent.Count == CurriculumWindow && correct >= Options.AdvanceAccuracy * scored;
        bool outOfSteps = _stage > 0 && Options.StepsPerLength is int cap && Step + 1 - _stageFrom >= cap;
        if (!learned && !outOfSteps) return;
        if (learned) LongestLearnedLength = CurrentLength;
        _stage++;
        _stageFrom = Step + 1;
        _recent.Clear();
        if (_stage < _stages.Length - 1) return;
        _fullLengthFrom = Step + 1;
        _fullLengthElapsed = Elapsed;
        _fullLengthSchedule = new CosineSchedule(Options.MaxLr, Options.MinLr, 0, StepsAtFullLength(Step + 1));
    }

    /// <summary>One optimizer step on a fresh batch; returns its loss.</summary>
    public float TrainStep()
    {
        var task = _stages[_stage];
        int tokens = Options.Batch * task.Length;
        var inputs = _inputs.AsSpan(0, tokens);
        var targets = _targets.AsSpan(0, tokens);
        Fill(task, _rng, inputs, targets);
        using var tape = new Tape();
        var logits = Model.Forward(tape, inputs, Options.Batch, task.Length);   // (B, T, V), T of this stage
        var loss = tape.CrossEntropy(logits, targets, ISequenceTask.IgnoreIndex);
        float value = loss.Value.Span[0];
        if (_stage < _stages.Length - 1) Advance(logits.Value.Span, targets);
        tape.Backward(loss);
        Optimizer.ClipAndUpdate(Options.GradClip, LearningRate, value);
        return value;
    }

    /// <summary>
    /// Trains until <see cref="Finished"/>, reporting (step, loss, learning rate) after each step; reads the
    /// <see cref="Clock"/> once at the start and once after each step.
    /// </summary>
    public void Run(Action<int, float, float>? report = null)
    {
        var timer = new TrainingTimer(Clock);
        timer.Start(Elapsed);
        while (!Finished)
        {
            float lr = LearningRate;
            float loss = TrainStep();
            Elapsed = timer.Lap();
            if (_fullLengthFrom == Step) _fullLengthElapsed = Elapsed;   // T is reached from the next step on
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

    private static void Fill(ISequenceTask task, Rng rng, Span<int> inputs, Span<int> targets)
    {
        int t = task.Length;
        for (int s = 0; s < inputs.Length / t; s++)
            task.Sample(rng, inputs.Slice(s * t, t), targets.Slice(s * t, t));
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
