using System.Globalization;

namespace Sharpformer.Training;

/// <summary>Which bound ended a training run.</summary>
internal enum StopReason
{
    /// <summary>The step budget (max steps) was spent.</summary>
    Steps,
    /// <summary>The time limit was spent.</summary>
    Time,
    /// <summary>The caller asked to stop at a step before either bound (a stop to resume later).</summary>
    Requested,
}

/// <summary>
/// How much training a run may do: at most <see cref="Steps"/> optimizer steps and, with a
/// <see cref="TimeLimit"/>, at most that much training time, whichever is spent first.
/// <para>
/// The learning-rate schedule is laid out over <see cref="Steps"/> and followed at the pace of the nearer
/// bound: progress = max(step / Steps, elapsed / limit), and the schedule is read at progress · Steps. A
/// machine that manages only a third of the steps in the time limit thus runs the whole warm-up and decay
/// in that third, and ends annealed at the floor instead of stopping at the peak; without a time limit the
/// schedule is the plain function of the step.
/// </para>
/// </summary>
internal readonly record struct TrainingBudget(int Steps, TimeSpan? TimeLimit = null)
{
    /// <summary>A budget from an options file's fields: a time limit of 0 seconds (or less) means none.</summary>
    public static TrainingBudget Of(int steps, double timeLimitSeconds) =>
        new(steps, timeLimitSeconds > 0 ? TimeSpan.FromSeconds(timeLimitSeconds) : null);

    /// <summary>
    /// The point of the schedule reached, in steps: <paramref name="step"/>, or elapsed / limit · Steps when
    /// the time is further on. Exactly <paramref name="step"/> without a time limit.
    /// </summary>
    public double ScheduleStep(int step, TimeSpan elapsed) =>
        TimeLimit is TimeSpan limit ? Math.Max(step, elapsed.Ticks / (double)limit.Ticks * Steps) : step;

    /// <summary>The share of the budget used, in [0, 1]: max(step / Steps, elapsed / limit).</summary>
    public double Progress(int step, TimeSpan elapsed) => Steps <= 0 ? 1 : Math.Min(1, ScheduleStep(step, elapsed) / Steps);

    /// <summary>The bound that is spent, if any (the steps when both are).</summary>
    public StopReason? Spent(int step, TimeSpan elapsed) =>
        step >= Steps ? StopReason.Steps
        : TimeLimit is TimeSpan limit && elapsed >= limit ? StopReason.Time
        : null;

    /// <summary>"3,000 steps" or "3,000 steps or 170 s, whichever comes first".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Steps:N0} steps{(TimeLimit is TimeSpan limit ? $" or {limit.TotalSeconds:0.#} s, whichever comes first" : "")}");

    /// <summary>What a log says of a stop: "steps", "time" or "requested".</summary>
    public static string Name(StopReason reason) => reason.ToString().ToLowerInvariant();

    /// <summary>A sentence for a closing line: "the time limit (170 s) ended training after 398 steps".</summary>
    public string Describe(StopReason reason, int steps, TimeSpan elapsed) => reason switch
    {
        StopReason.Steps => FormattableString.Invariant($"the step limit ({Steps:N0}) ended training after {elapsed.TotalSeconds:F1} s"),
        StopReason.Time => FormattableString.Invariant($"the time limit ({TimeLimit!.Value.TotalSeconds:0.#} s) ended training after {steps:N0} of {Steps:N0} steps"),
        _ => FormattableString.Invariant($"training stopped as asked after {steps:N0} steps and {elapsed.TotalSeconds:F1} s (resumable)"),
    };
}
