namespace Sharpformer.Training;

/// <summary>
/// A learning rate as a function of the position in the schedule, in optimizer steps (0-based). The position
/// is the step itself, or a fractional step further on when a time limit is nearer than the step limit
/// (<see cref="TrainingBudget.ScheduleStep"/>).
/// </summary>
internal interface ILearningRateSchedule
{
    float At(double step);
}

/// <summary>
/// Linear warm-up then cosine decay to a floor (nanoGPT's get_lr): lr·(step+1)/(warmup+1) while
/// step &lt; warmup, then min + ½(1 + cos(π·progress))·(max − min), and the floor from decaySteps on.
/// </summary>
internal sealed record CosineSchedule(float MaxLr, float MinLr, int WarmupSteps, int DecaySteps) : ILearningRateSchedule
{
    public float At(double step)
    {
        if (step < WarmupSteps) return (float)(MaxLr * (step + 1) / (WarmupSteps + 1));
        if (step >= DecaySteps) return MinLr;
        double progress = (step - WarmupSteps) / Math.Max(1, DecaySteps - WarmupSteps);
        return (float)(MinLr + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (MaxLr - MinLr));
    }
}

/// <summary>
/// Warm-up, stable, decay (MiniCPM's WSD): linear warm-up as in <see cref="CosineSchedule"/>, the peak held until
/// <see cref="DecayFrom"/>, then a cosine to the floor at <see cref="DecaySteps"/>. Where learning needs many
/// steps at a high rate, it spends more of a short budget there than a cosine over the whole run, and still
/// ends annealed.
/// </summary>
internal sealed record WarmupStableDecaySchedule(float MaxLr, float MinLr, int WarmupSteps, double DecayFrom, int DecaySteps) : ILearningRateSchedule
{
    public float At(double step)
    {
        if (step < WarmupSteps) return (float)(MaxLr * (step + 1) / (WarmupSteps + 1));
        if (step >= DecaySteps) return MinLr;
        if (step <= DecayFrom) return MaxLr;
        double progress = (step - DecayFrom) / Math.Max(1, DecaySteps - DecayFrom);
        return (float)(MinLr + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (MaxLr - MinLr));
    }
}

/// <summary>
/// The original transformer's schedule ("Noam"): linear warm-up, then decay as 1/√step; scaled so
/// that it peaks at <see cref="PeakLr"/> at the end of warm-up.
/// </summary>
internal sealed record InverseSqrtSchedule(float PeakLr, int WarmupSteps) : ILearningRateSchedule
{
    public float At(double step)
    {
        double s = step + 1, w = Math.Max(1, WarmupSteps);
        return (float)(PeakLr * Math.Min(s / w, Math.Sqrt(w / s)));
    }
}
