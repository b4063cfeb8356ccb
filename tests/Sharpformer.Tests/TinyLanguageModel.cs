namespace Sharpformer.Tests;

/// <summary>A GPT trained for a few steps on a repetitive text, once per test run: enough to generate from.</summary>
internal static class TinyLanguageModel
{
    public const string Text = "System: the cat\nUser: hello there\nAssistant: the cat sat on the mat.\nUser: and the dog?\nAssistant: the dog sat on the log.\n";

    private static readonly Lazy<LanguageModel> Model = new(() =>
        LanguageModel.Train(string.Concat(Enumerable.Repeat(Text, 30)), new TrainingSettings { Preset = "tiny", Steps = 30, EvaluationInterval = 30, Seed = 5 }));

    public static LanguageModel Instance => Model.Value;
}
