using Sharpformer.Models;

namespace Sharpformer.Training;

/// <summary>A named model shape with its training recipe; the vocabulary size comes from the tokenizer.</summary>
internal sealed record GptPreset(string Name, string Description, Func<int, GptConfig> Config, GptTrainingOptions Training);

/// <summary>Built-in recipes, after nanoGPT's Shakespeare configs (with its exact GELU).</summary>
internal static class GptPresets
{
    public static IReadOnlyList<GptPreset> All { get; } =
    [
        new("shakespeare-cpu", "nanoGPT's CPU example: 4 layers, 4 heads, 128 wide, block 64, batch 12, 2000 steps",
            v => new GptConfig(4, 4, 128, 64, v, Dropout: 0f, Activation: "gelu_exact"),
            new GptTrainingOptions { Steps = 2000, Batch = 12, MaxLr = 1e-3f, MinLr = 1e-4f, WarmupSteps = 100, Beta2 = 0.99f, WeightDecay = 0.1f, EvalInterval = 250, EvalBatches = 20 }),
        new("shakespeare", "nanoGPT's train_shakespeare_char: 6 layers, 6 heads, 384 wide, block 256, batch 64, dropout 0.2, 5000 steps",
            v => new GptConfig(6, 6, 384, 256, v, Dropout: 0.2f, Activation: "gelu_exact"),
            new GptTrainingOptions { Steps = 5000, Batch = 64, MaxLr = 1e-3f, MinLr = 1e-4f, WarmupSteps = 100, Beta2 = 0.99f, WeightDecay = 0.1f, EvalInterval = 250, EvalBatches = 200 }),
        new("shakespeare-long", "shakespeare-cpu's model over a context of 512 with flash attention (for comparing attention variants): batch 4, 2000 steps",
            v => new GptConfig(4, 4, 128, 512, v, Dropout: 0f, Attention: "flash", Activation: "gelu_exact"),
            new GptTrainingOptions { Steps = 2000, Batch = 4, MaxLr = 1e-3f, MinLr = 1e-4f, WarmupSteps = 100, Beta2 = 0.99f, WeightDecay = 0.1f, EvalInterval = 250, EvalBatches = 20 }),
        new("tiny", "a seconds-long smoke run: 2 layers, 2 heads, 32 wide, block 32, batch 8, 200 steps",
            v => new GptConfig(2, 2, 32, 32, v),
            new GptTrainingOptions { Steps = 200, Batch = 8, MaxLr = 3e-3f, MinLr = 3e-4f, WarmupSteps = 20, EvalInterval = 50, EvalBatches = 5 }),
    ];

    public static GptPreset Get(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"Unknown preset '{name}'; expected one of: {string.Join(", ", All.Select(p => p.Name))}, or a JSON file.");
}
