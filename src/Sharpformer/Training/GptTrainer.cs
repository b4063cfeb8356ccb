using System.Diagnostics;
using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// What the trainer reports: a step finished, or an evaluation of both splits. <see cref="Progress"/> is the
/// share of the budget used (max of steps and time, see <see cref="TrainingBudget"/>); NaN where unknown.
/// </summary>
internal sealed record TrainingEvent(int Step, int TotalSteps, float Loss, float LearningRate, double MsPerStep, double TokensPerSecond,
    TimeSpan Elapsed, float? TrainLoss = null, float? ValLoss = null, bool IsBest = false, double Progress = double.NaN);

/// <summary>
/// The training loop: random contiguous batches, forward, backward (with gradient accumulation),
/// global-norm clipping, AdamW with warm-up + cosine, periodic evaluation of both splits, and
/// checkpoints (the latest for resuming, the best by validation loss for use).
/// One seeded generator decides batches and dropout and is saved with the checkpoint, so training N
/// steps, stopping and resuming for N more equals training 2N steps, bit for bit (same thread count).
/// With a time limit the schedule follows the budget (<see cref="TrainingBudget"/>); the training time is
/// saved with the checkpoint too, so a resumed budgeted run continues where it stood, and with a
/// deterministic <see cref="Clock"/> it equals the uninterrupted run bit for bit.
/// </summary>
internal sealed class GptTrainer
{
    public Gpt Model { get; }
    public ITokenizer Tokenizer { get; }
    public GptTrainingOptions Options { get; }
    public AdamWOptimizer Optimizer { get; }
    public int Step => Optimizer.Step;
    public float BestValLoss { get; private set; } = float.PositiveInfinity;

    /// <summary>Seconds spent in training steps by the last <see cref="Run"/> (evaluations and checkpoints excluded).</summary>
    public double TrainSeconds { get; private set; }

    /// <summary>The clock the time limit is measured by (<see cref="TrainingTimer"/>); the wall clock unless a test sets another.</summary>
    public Func<TimeSpan> Clock { get; set; } = TrainingTimer.WallClock;

    /// <summary>Training time spent, resumed runs included: what the time limit counts.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Which bound ended the last <see cref="Run"/>.</summary>
    public StopReason? StoppedBy { get; private set; }

    public TrainingBudget Budget { get; }

    /// <summary>The share of the budget used: max(step / max_iters, elapsed / time_limit_s).</summary>
    public double Progress => Budget.Progress(Step, Elapsed);

    /// <summary>The learning rate of the next step: the schedule at the budget's position.</summary>
    public float LearningRate => _schedule.At(Budget.ScheduleStep(Step, Elapsed));

    private readonly TokenBatches _data;
    private readonly ILearningRateSchedule _schedule;
    private readonly Rng _rng;
    private readonly int[] _inputs, _targets;

    public GptTrainer(Gpt model, ITokenizer tokenizer, TokenBatches data, GptTrainingOptions options)
    {
        Model = model;
        Tokenizer = tokenizer;
        Options = options.Validated();
        _data = data;
        _schedule = options.Schedule();
        Budget = options.Budget();
        // Batches and dropout draw from their own stream: Rng(seed) itself initialised the weights.
        _rng = Rng.SecondStream(options.Seed);
        Optimizer = new AdamWOptimizer(model.NamedParameters(), options.Beta1, options.Beta2, 1e-8f, options.WeightDecay);
        int tokens = options.Batch * model.Config.BlockSize;
        _inputs = new int[tokens];
        _targets = new int[tokens];
    }

    /// <summary>
    /// Continues the run saved in <paramref name="checkpointDir"/> (model, optimizer, RNG, step) on the corpus
    /// that <paramref name="corpusTokens"/> encodes with the checkpoint's tokenizer.
    /// </summary>
    public static GptTrainer Resume(string checkpointDir, Func<ITokenizer, int[]> corpusTokens)
    {
        checkpointDir = Checkpoint.Locate(checkpointDir);
        var (_, options) = CheckpointStates.ReadGpt(checkpointDir);   // checked before the model is built
        var (model, tokenizer) = GptCheckpoint.Load(checkpointDir);
        var data = new TokenBatches(corpusTokens(tokenizer), options.TrainFraction, model.Config.BlockSize);
        var trainer = new GptTrainer(model, tokenizer, data, options);
        var state = GptCheckpoint.LoadTrainingState(checkpointDir, trainer.Optimizer);
        trainer._rng.SetState(state.RngState);
        trainer.BestValLoss = state.BestValLoss;
        trainer.Elapsed = state.Elapsed;
        return trainer;
    }

    /// <summary>One optimizer step over <see cref="GptTrainingOptions.GradAccumulation"/> micro-batches; returns the mean loss.</summary>
    public float TrainStep()
    {
        int b = Options.Batch, t = Model.Config.BlockSize;
        float total = 0;
        using var tape = new Tape();
        for (int micro = 0; micro < Options.GradAccumulation; micro++)
        {
            TokenBatches.Sample(_data.Train, _rng, b, t, _inputs, _targets);
            var loss = Model.Loss(tape, _inputs, _targets, b, t, Model.Config.Dropout > 0 ? _rng : null);
            total += loss.Value.Span[0];
            tape.Backward(Options.GradAccumulation == 1 ? loss : tape.Scale(loss, 1f / Options.GradAccumulation));
            tape.Reset();
        }
        float mean = total / Options.GradAccumulation;
        Optimizer.ClipAndUpdate(Options.GradClip, LearningRate, mean);
        return mean;
    }

    /// <summary>nanoGPT's estimate_loss: the mean loss of a few random batches of a split, without dropout.</summary>
    public float EstimateLoss(string split)
    {
        var data = _data.Split(split);
        int b = Options.Batch, t = Math.Min(Model.Config.BlockSize, data.Length - 1);
        // Its own generator, seeded by the step, so evaluating does not shift the training stream.
        var rng = new Rng(Options.Seed ^ (0x9E37_79B9_7F4A_7C15UL * (ulong)(Step + 1)) ^ (split == "val" ? 1UL : 0UL));
        var inputs = new int[b * t];
        var targets = new int[b * t];
        double sum = 0;
        using var tape = new Tape(recordGradients: false);
        for (int i = 0; i < Options.EvalBatches; i++)
        {
            TokenBatches.Sample(data, rng, b, t, inputs, targets);
            sum += Model.Loss(tape, inputs, targets, b, t).Value.Span[0];
            tape.Reset();
        }
        return (float)(sum / Options.EvalBatches);
    }

    /// <summary>
    /// Trains until the budget is spent (max_iters or time_limit_s) or, earlier, until <paramref name="untilStep"/>,
    /// evaluating every eval_interval steps and at the end. With <paramref name="outDir"/>, writes outDir/last
    /// (resumable), outDir/best (lowest validation loss) and appends every evaluation to outDir/log.jsonl, the
    /// last one with the bound that ended training.
    /// </summary>
    public void Run(string? outDir, Action<TrainingEvent>? report = null, int? untilStep = null)
    {
        int tokensPerStep = Options.Batch * Options.GradAccumulation * Model.Config.BlockSize;
        var timer = new TrainingTimer(Clock);
        timer.Start(Elapsed);
        int firstStep = Step;
        TrainSeconds = 0;
        StoppedBy = null;
        while (true)
        {
            var stop = Budget.Spent(Step, Elapsed) ?? (untilStep is int until && Step >= until ? StopReason.Requested : null);
            if (Step % Options.EvalInterval == 0 || stop != null) Evaluate(outDir, report, stop);
            if (stop != null) { StoppedBy = stop; break; }
            float lr = LearningRate;
            long start = Stopwatch.GetTimestamp();
            float loss = TrainStep();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            TrainSeconds += seconds;
            Elapsed = timer.Lap();
            report?.Invoke(new TrainingEvent(Step, Options.Steps, loss, lr, seconds * 1000,
                tokensPerStep * (Step - firstStep) / TrainSeconds, Elapsed, Progress: Progress));
        }
    }

    private void Evaluate(string? outDir, Action<TrainingEvent>? report, StopReason? stop)
    {
        float train = EstimateLoss("train"), val = EstimateLoss("val");
        NonFiniteTrainingException.ThrowIfEvaluationNonFinite(Step, "estimated training loss", train);
        NonFiniteTrainingException.ThrowIfEvaluationNonFinite(Step, "estimated validation loss", val);
        bool best = val < BestValLoss;
        if (best) BestValLoss = val;
        report?.Invoke(new TrainingEvent(Step, Options.Steps, train, LearningRate, 0, 0, Elapsed, train, val, best, Progress));
        if (outDir == null) return;
        var state = new TrainingState(Step, _rng.GetState(), BestValLoss, Options.ToJson(), Elapsed);
        if (best) GptCheckpoint.Save(Path.Combine(outDir, "best"), Model, Tokenizer, state: state);
        if (stop != null || Step % Options.EvalInterval == 0) GptCheckpoint.Save(Path.Combine(outDir, "last"), Model, Tokenizer, Optimizer, state);
        var line = Checkpoint.LogLine(new GptLogLine(Step, train, val, LearningRate, Math.Round(Elapsed.TotalSeconds, 2), Math.Round(Progress, 4), best,
            stop is StopReason r ? TrainingBudget.Name(r) : null));
        File.AppendAllText(Path.Combine(outDir, "log.jsonl"), line + Environment.NewLine);
    }
}
