using System.Diagnostics;
using System.Globalization;
using Sharpformer.Data;
using Sharpformer.Models;

namespace Sharpformer.Training;

/// <summary>
/// Picks a translator recipe for the machine it runs on: times a few training steps of each size, largest first,
/// and takes the first whose steps in the time budget reach the steps it needs
/// (<see cref="TranslationPreset.StepsNeeded"/>), else the smallest. The timed steps train a throwaway model on a
/// slice of the corpus.
/// </summary>
public static class TranslationSizing
{
    /// <summary>A recipe, its measured seconds per step and the steps that makes in the budget.</summary>
    public sealed record Choice(TranslationPreset Preset, double SecondsPerStep, int PredictedSteps);

    public static Choice Choose(IReadOnlyList<TranslationPreset> ladder, TranslationVocabulary vocabulary, IReadOnlyList<SentencePair> train,
        double budgetSeconds, ulong seed, TextWriter log, double probeSeconds = 2.5)
    {
        Choice? last = null;
        foreach (var preset in ladder)
        {
            double perStep = SecondsPerStep(preset, vocabulary, train, seed, probeSeconds);
            int predicted = (int)Math.Min(int.MaxValue, budgetSeconds / perStep);
            last = new Choice(preset, perStep, predicted);
            bool enough = predicted >= preset.StepsNeeded;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {preset.Name}: {1000 * perStep:F0} ms/step here, so about {predicted:N0} steps in {budgetSeconds:F0} s; it needs {preset.StepsNeeded:N0}{(enough ? "" : " (too slow)")}"));
            if (enough) return last;
        }
        return last!;
    }

    /// <summary>
    /// Seconds per training step of a fresh model of this preset: the median of the later half of the steps
    /// timed over <paramref name="seconds"/> (at least four, after one that compiles the kernels; the first few
    /// run code the JIT has not optimised yet).
    /// </summary>
    public static double SecondsPerStep(TranslationPreset preset, TranslationVocabulary vocabulary, IReadOnlyList<SentencePair> train, ulong seed,
        double seconds = 2.5, int maxSteps = 40)
    {
        var config = preset.Config(vocabulary.Size);
        var trainer = new TranslationTrainer(new Translator(config, seed), vocabulary, vocabulary, train.Take(4000).ToList(), [], preset.Training with { Seed = seed });
        trainer.TrainStep();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 4 || (times.Count < maxSteps && total.Elapsed.TotalSeconds < seconds))
        {
            long start = Stopwatch.GetTimestamp();
            trainer.TrainStep();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        var later = times.Skip(times.Count / 2).Order().ToList();
        return later[later.Count / 2];
    }
}
