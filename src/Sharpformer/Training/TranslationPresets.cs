using Sharpformer.Models;

namespace Sharpformer.Training;

/// <summary>
/// A translator recipe: model shape (given the vocabulary size), BPE vocabulary size and training settings;
/// <see cref="StepsNeeded"/> is about how many steps of a complete schedule it takes to reach its documented
/// quality (the demo warns when a machine manages fewer in the time budget; 0 = not measured).
/// </summary>
internal sealed record TranslationPreset(string Name, string Description, int BpeVocabSize, Func<int, TranslatorConfig> Config,
    TranslationTrainingOptions Training, int StepsNeeded = 0);

/// <summary>Built-in translator recipes.</summary>
internal static class TranslationPresets
{
    public static IReadOnlyList<TranslationPreset> All { get; } =
    [
        new("demo", "what `sharpformer demo` trains, on any machine: 1+1 layers, 4 heads, width 64, shared BPE of 1,200; small batches at a held rate, no dropout",
            1200, v => new TranslatorConfig(1, 1, 4, 64, 256, 64, v, v, Dropout: 0f),
            new TranslationTrainingOptions { Steps = 6000, TimeLimitSeconds = 240, BatchTokens = 512, MaxLr = 2e-3f, MinLr = 1e-4f,
                WarmupSteps = 60, Schedule = "wsd", DecayFraction = 0.3, EvalInterval = 1000, EvalSentences = 300, LabelSmoothing = 0.1f }, StepsNeeded: 2500),
        new("demo-large", "the built-in corpus on a fast machine: 2+2 layers, 4 heads, width 128, shared BPE of 1,200 (the demo's model until it had to fit slow machines)",
            1200, v => new TranslatorConfig(2, 2, 4, 128, 512, 64, v, v, Dropout: 0.1f),
            new TranslationTrainingOptions { Steps = 3000, TimeLimitSeconds = 170, BatchTokens = 2048, MaxLr = 2e-3f, MinLr = 1e-4f,
                WarmupSteps = 150, EvalInterval = 1000, EvalSentences = 300, LabelSmoothing = 0.1f }, StepsNeeded: 2000),
        new("tatoeba", "Tatoeba en→ru within an hour: 3+3 layers, 8 heads, width 256, shared BPE of 4,000",
            4000, v => new TranslatorConfig(3, 3, 8, 256, 1024, 96, v, v, Dropout: 0.2f),
            new TranslationTrainingOptions { Steps = 30000, TimeLimitSeconds = 3300, BatchTokens = 2048, MaxLr = 1e-3f, MinLr = 5e-5f,
                WarmupSteps = 1000, EvalInterval = 1000, EvalSentences = 0, LabelSmoothing = 0.1f }),
        new("tiny", "a seconds-long smoke run: 1+1 layers, 2 heads, width 32",
            400, v => new TranslatorConfig(1, 1, 2, 32, 64, 48, v, v, Dropout: 0f),
            new TranslationTrainingOptions { Steps = 100, BatchTokens = 512, MaxLr = 3e-3f, WarmupSteps = 10, EvalInterval = 50, EvalSentences = 50 }),
    ];

    public static TranslationPreset Get(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"Unknown translation preset '{name}'; expected one of: {string.Join(", ", All.Select(p => p.Name))}.");
}
