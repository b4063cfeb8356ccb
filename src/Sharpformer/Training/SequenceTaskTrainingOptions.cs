namespace Sharpformer.Training;

/// <summary>How a model is trained from scratch on a synthetic <see cref="Data.ISequenceTask"/>, and how it is scored.</summary>
internal sealed record SequenceTaskTrainingOptions
{
    public int Steps { get; init; } = 300;
    /// <summary>Training time budget in seconds (0 = none): training stops at whichever limit comes first, and the
    /// schedule follows the nearer one (<see cref="TrainingBudget"/>).</summary>
    public double TimeLimitSeconds { get; init; }
    public int Batch { get; init; } = 8;
    public float MaxLr { get; init; } = 3e-3f;
    public float MinLr { get; init; } = 3e-4f;
    public int WarmupSteps { get; init; } = 30;
    public float WeightDecay { get; init; } = 0.1f;
    public float GradClip { get; init; } = 1.0f;
    /// <summary>Decides the weights (Rng(seed)) and the training sequences (its second stream).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Held-out sequences scored at the end, drawn from <see cref="HeldOutSeed"/>.</summary>
    public int EvalSequences { get; init; } = 64;
    /// <summary>
    /// When set, training starts with a length curriculum at this many tokens, doubling below the task's
    /// length (see <see cref="SequenceTaskTrainer"/>); null trains at T throughout.
    /// </summary>
    public int? StartLength { get; init; }
    /// <summary>The answer accuracy of recent training batches at which the curriculum moves to the next length.</summary>
    public double AdvanceAccuracy { get; init; } = 0.9;
    /// <summary>
    /// With a curriculum: the most steps spent at each length after the first before moving on regardless
    /// (null: no cap). The first length, where the model learns the task at all, has no cap.
    /// </summary>
    public int? StepsPerLength { get; init; }
    /// <summary>With a curriculum: steps trained at full length once it is reached (null: the rest of <see cref="Steps"/>).</summary>
    public int? StepsAtFullLength { get; init; }

    /// <summary>The held-out set's seed: a stream of its own, so no training sequence is scored.</summary>
    public ulong HeldOutSeed => Seed ^ 0xE7A1_5EED_0000_0001UL;

    public ILearningRateSchedule Schedule() => new CosineSchedule(MaxLr, MinLr, WarmupSteps, Steps);

    public TrainingBudget Budget() => TrainingBudget.Of(Steps, TimeLimitSeconds);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public SequenceTaskTrainingOptions Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"training: {what}."); }
        Require(Steps >= 0, $"steps must be ≥ 0, got {Steps}");
        Require(TimeLimitSeconds >= 0, $"the time limit must be ≥ 0 s, got {TimeLimitSeconds}");
        Require(Batch >= 1, $"batch must be ≥ 1, got {Batch}");
        Require(MaxLr > 0 && MinLr >= 0 && MinLr <= MaxLr, $"need 0 ≤ min lr ≤ lr, got {MinLr} and {MaxLr}");
        Require(WarmupSteps >= 0, $"warm-up steps must be ≥ 0, got {WarmupSteps}");
        Require(StartLength is null or >= 1, $"start length must be ≥ 1, got {StartLength}");
        Require(AdvanceAccuracy is > 0 and <= 1, $"the accuracy that advances the curriculum must be in (0, 1], got {AdvanceAccuracy}");
        Require(StepsPerLength is null or >= 1, $"steps per length must be ≥ 1, got {StepsPerLength}");
        Require(StepsAtFullLength is null or >= 1, $"steps at full length must be ≥ 1, got {StepsAtFullLength}");
        Require(EvalSequences >= 1, $"eval sequences must be ≥ 1, got {EvalSequences}");
        return this;
    }
}
