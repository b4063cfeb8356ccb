using System.Diagnostics;

namespace Sharpformer.Training;

/// <summary>
/// The training time of a run, for its <see cref="TrainingBudget"/>: the sum of the intervals between readings
/// of a clock. A trainer reads the clock once when <c>Run</c> starts and once after each step, so evaluations
/// and checkpoints count towards the step after them; a checkpoint saves the sum, and a resumed run continues
/// from it (the time the run was stopped does not count).
/// <para>
/// The clock is a parameter so that tests can make a budgeted run deterministic: a clock that advances a
/// fixed amount at each reading makes the elapsed time a function of the step count, and a run stopped and
/// resumed then equals the uninterrupted one bit for bit.
/// </para>
/// </summary>
internal sealed class TrainingTimer(Func<TimeSpan> clock)
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    /// <summary>The monotonic wall clock (time since the process started using it).</summary>
    public static readonly Func<TimeSpan> WallClock = () => Stopwatch.GetElapsedTime(Origin);

    private TimeSpan _last;

    /// <summary>Training time so far.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Starts timing from <paramref name="elapsed"/> already spent (a resumed run's saved figure).</summary>
    public void Start(TimeSpan elapsed)
    {
        Elapsed = elapsed;
        _last = clock();
    }

    /// <summary>Adds the time since the previous reading and returns the total.</summary>
    public TimeSpan Lap()
    {
        var now = clock();
        Elapsed += now - _last;
        _last = now;
        return Elapsed;
    }
}
