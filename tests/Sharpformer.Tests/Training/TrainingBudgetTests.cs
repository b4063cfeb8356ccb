using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

/// <summary>A clock for tests: each reading is <paramref name="tick"/> later than the one before.</summary>
internal sealed class SteppingClock(TimeSpan tick)
{
    private TimeSpan _now;
    public int Readings { get; private set; }

    public TimeSpan Read()
    {
        Readings++;
        return _now += tick;
    }
}

public class TrainingBudgetTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void WithoutATimeLimitProgressIsTheShareOfStepsAndTheScheduleStepIsTheStep()
    {
        var budget = new TrainingBudget(200);
        Assert.Null(budget.TimeLimit);
        Assert.Equal(0.25, budget.Progress(50, S(1e6)));
        for (int step = 0; step <= 200; step += 7) Assert.Equal((double)step, budget.ScheduleStep(step, S(1e6)));
        Assert.Null(budget.Spent(199, S(1e6)));
        Assert.Equal(StopReason.Steps, budget.Spent(200, TimeSpan.Zero));
        Assert.Equal(budget, TrainingBudget.Of(200, 0));
    }

    [Fact]
    public void ProgressIsTheLargerOfTheShareOfStepsAndTheShareOfTime()
    {
        var budget = TrainingBudget.Of(1000, 100);
        Assert.Equal(0.5, budget.Progress(100, S(50)));     // time leads: 50% of the time, 10% of the steps
        Assert.Equal(500, budget.ScheduleStep(100, S(50)));
        Assert.Equal(0.8, budget.Progress(800, S(10)));     // steps lead
        Assert.Equal(800, budget.ScheduleStep(800, S(10)));
        Assert.Equal(1, budget.Progress(10, S(250)));       // clamped once the time is over
        Assert.Null(budget.Spent(999, S(99.9)));
        Assert.Equal(StopReason.Time, budget.Spent(400, S(100)));
        Assert.Equal(StopReason.Steps, budget.Spent(1000, S(100)));   // both spent: the steps are named
        Assert.Equal(0, TrainingBudget.Of(0, 10).Steps);
        Assert.Equal(1, TrainingBudget.Of(0, 10).Progress(0, TimeSpan.Zero));
    }

    [Fact]
    public void OnTheTimeBoundWarmUpThenCosineReachTheFloorExactlyWhenTheTimeIsUsed()
    {
        const float max = 2e-3f, min = 1e-4f;
        var schedule = new CosineSchedule(max, min, WarmupSteps: 100, DecaySteps: 1000);
        var budget = TrainingBudget.Of(1000, 60);
        // A slow machine: one step every 0.2 s, so 300 steps in the minute instead of 1,000.
        float LrAfter(int step) => schedule.At(budget.ScheduleStep(step, S(0.2 * step)));

        // Warm-up takes the first tenth of the time (30 steps here), rising linearly.
        Assert.Equal(max * (50 + 1) / 101.0, LrAfter(15), 1e-9);    // half-way through warm-up: step 15 is schedule step 50
        Assert.Equal(max, LrAfter(30), 1e-9);                      // the peak at 10% of the time
        for (int step = 1; step <= 30; step++) Assert.True(LrAfter(step) > LrAfter(step - 1));
        // Then the cosine: the mid-point value half-way through the decay, falling at every step.
        Assert.Equal(min + 0.5 * (max - min), LrAfter(165), 1e-7);
        for (int step = 31; step <= 300; step++) Assert.True(LrAfter(step) < LrAfter(step - 1), $"step {step}");
        // The budget is used up at step 300, exactly at the floor; the step before is just above it.
        Assert.Equal(StopReason.Time, budget.Spent(300, S(60)));
        Assert.Equal(min, LrAfter(300));
        Assert.InRange(LrAfter(299), min, min + 1e-7);
    }

    [Fact]
    public void OnTheStepBoundTheScheduleIsThePlainFunctionOfTheStep()
    {
        var schedule = new CosineSchedule(1e-3f, 1e-4f, 10, 100);
        var budget = TrainingBudget.Of(100, 3600);   // a fast machine: the time limit is far
        for (int step = 0; step <= 100; step++)
            Assert.Equal(schedule.At(step), schedule.At(budget.ScheduleStep(step, S(step * 0.01))));
        Assert.Equal(1e-4f, schedule.At(budget.ScheduleStep(100, S(1))));
        Assert.Equal(StopReason.Steps, budget.Spent(100, S(1)));
    }

    [Fact]
    public void WarmupStableDecayHoldsThePeakThenDecaysToTheFloorAtTheEndOfTheBudget()
    {
        var options = new TranslationTrainingOptions { Steps = 1000, TimeLimitSeconds = 60, MaxLr = 2e-3f, MinLr = 1e-4f, WarmupSteps = 50, Schedule = "wsd", DecayFraction = 0.3 };
        var schedule = Assert.IsType<WarmupStableDecaySchedule>(options.Validated().CreateSchedule());
        var budget = options.Budget();
        float LrAt(double seconds) => schedule.At(budget.ScheduleStep(0, S(seconds)));
        Assert.Equal(2e-3 * 26 / 51.0, LrAt(1.5), 1e-9);              // warm-up: the first 5% of the time
        Assert.Equal(2e-3f, LrAt(3));
        Assert.Equal(2e-3f, LrAt(42));                                // held until 70% of the time
        Assert.Equal(1e-4 + 0.5 * 1.9e-3, LrAt(51), 1e-7);            // half-way through the decay
        Assert.True(LrAt(59) < LrAt(55));
        Assert.Equal(1e-4f, LrAt(60));                                // the floor when the time is used
        Assert.Throws<ArgumentException>(() => (options with { DecayFraction = 0 }).Validated());
    }

    [Fact]
    public void FractionalSchedulePositionsInterpolateBetweenSteps()
    {
        var schedule = new CosineSchedule(1e-3f, 0, 4, 20);
        Assert.Equal(1e-3 * 2.5 / 5, schedule.At(1.5), 1e-9);
        Assert.InRange(schedule.At(12.5), schedule.At(13), schedule.At(12));
        var noam = new InverseSqrtSchedule(1e-3f, 10);
        Assert.InRange(noam.At(50.5), noam.At(51), noam.At(50));
    }

    [Fact]
    public void TheTimerSumsTheIntervalsBetweenReadingsFromTheSavedFigure()
    {
        var clock = new SteppingClock(S(1.5));
        var timer = new TrainingTimer(clock.Read);
        timer.Start(S(10));
        Assert.Equal(S(10), timer.Elapsed);
        Assert.Equal(S(11.5), timer.Lap());
        Assert.Equal(S(13), timer.Lap());
        Assert.Equal(3, clock.Readings);
    }

    [Fact]
    public void StopsAreDescribedWithTheBoundAndTheSteps()
    {
        var budget = TrainingBudget.Of(3000, 170);
        Assert.Equal("3,000 steps or 170 s, whichever comes first", budget.ToString());
        Assert.Equal("3,000 steps", new TrainingBudget(3000).ToString());
        Assert.Equal("the time limit (170 s) ended training after 398 of 3,000 steps", budget.Describe(StopReason.Time, 398, S(170)));
        Assert.Equal("the step limit (3,000) ended training after 150.0 s", budget.Describe(StopReason.Steps, 3000, S(150)));
        Assert.Equal("time", TrainingBudget.Name(StopReason.Time));
    }
}
