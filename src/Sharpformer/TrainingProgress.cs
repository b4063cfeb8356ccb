namespace Sharpformer;

/// <summary>
/// What <see cref="LanguageModel.Train"/> reports after every step, and after every evaluation (then with
/// <see cref="ValidationLoss"/>).
/// </summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps the run is set to.</param>
/// <param name="Loss">The step's training loss (nats per token), or the estimated training loss at an evaluation.</param>
/// <param name="ValidationLoss">The estimated loss on the held-out text, at an evaluation; otherwise null.</param>
/// <param name="Fraction">Share of the budget used, 0 to 1 (steps or time, whichever is further along).</param>
/// <param name="Elapsed">Training time so far.</param>
/// <param name="TokensPerSecond">Training throughput so far (0 at an evaluation).</param>
public sealed record TrainingProgress(int Step, int TotalSteps, float Loss, float? ValidationLoss, double Fraction, TimeSpan Elapsed,
    double TokensPerSecond);
