using System.CommandLine;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// The command line's vocabulary: one factory per idea that several commands share, so that the idea has one
/// name (and one value type) everywhere. A command makes its own instance (its description may say more) but never
/// spells the name itself. `--threads` and `--verbose` live on the root (<see cref="CliApp"/>).
/// </summary>
internal static class SharedOptions
{
    /// <summary>The model folder a command reads: a checkpoint, a training output folder or a Hugging Face GPT-2 folder.</summary>
    public static Option<string> Model(string description = "Checkpoint folder (or a training output folder)") =>
        new("--model") { Description = description, Required = true };

    /// <summary>`--allow-non-finite`: load weights that hold NaN or ±∞ (refused by default), to inspect a diverged run.</summary>
    public static Option<bool> AllowNonFinite() =>
        new("--allow-non-finite") { Description = "Load weights that hold NaN or ±∞ (refused otherwise), to inspect a diverged run" };

    /// <summary>The file or folder a command writes.</summary>
    public static Option<string> Out(string description) => new("--out") { Description = description, Required = true };

    /// <summary>The file or folder a command writes, with a default.</summary>
    public static Option<string> Out(string description, string defaultValue) =>
        new("--out") { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>The file or folder a command writes when asked to (standard output or nothing otherwise).</summary>
    public static Option<string?> OptionalOut(string description) => new("--out") { Description = description };

    /// <summary>The file a command reads instead of standard input.</summary>
    public static Option<string?> Input(string description) => new("--input") { Description = description };

    /// <summary>The text a command learns from or measures on (a file, or a folder of them).</summary>
    public static Option<string> Data(string description) => new("--data") { Description = description, Required = true };

    /// <summary>A preset by name (or, where the command says so, a JSON file).</summary>
    public static Option<string> Config(string description, string defaultValue) =>
        new("--config") { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<ulong> Seed(string description, ulong defaultValue) =>
        new("--seed") { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>A seed that overrides the preset's.</summary>
    public static Option<ulong?> SeedOverride(string description) => new("--seed") { Description = description };

    public static Option<int> Steps(string description, int defaultValue) =>
        new("--steps") { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<int?> StepsOverride(string description) => new("--steps") { Description = description };

    /// <summary>The one budget rule of every trainer (<see cref="Sharpformer.Training.TrainingBudget"/>).</summary>
    public const string TimeLimitRule =
        "training ends at the steps or the time, whichever comes first, warm-up and decay following the nearer";

    /// <summary>Training time budget in seconds, 0 = none.</summary>
    public static Option<double> TimeLimit() =>
        new("--time-limit") { Description = $"Training time budget in seconds (0 = none): {TimeLimitRule}" };

    public static Option<double?> TimeLimitOverride(string description = $"Training time budget in seconds (overrides the preset; 0 = none): {TimeLimitRule}") =>
        new("--time-limit") { Description = description };

    /// <summary>Examples (sequences, sentences) a step or a decoding call takes together.</summary>
    public static Option<int> BatchSize(string description, int defaultValue) =>
        new("--batch-size") { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<int?> BatchSizeOverride(string description) => new("--batch-size") { Description = description };

    public static Option<float> LearningRate(string description, float defaultValue) =>
        new("--lr") { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<float?> LearningRateOverride(string description) => new("--lr") { Description = description };

    /// <summary>The shape of a model: `--layers`, `--heads`, `--width`, with defaults (a command without presets).</summary>
    public static (Option<int> Layers, Option<int> Heads, Option<int> Width) Shape(string layers, int defaultLayers, int defaultHeads, int defaultWidth) =>
        (new("--layers") { Description = layers, DefaultValueFactory = _ => defaultLayers },
         new("--heads") { Description = "Attention heads per layer", DefaultValueFactory = _ => defaultHeads },
         new("--width") { Description = "C: embedding width (a multiple of --heads; the feed-forward layer is 4× as wide)", DefaultValueFactory = _ => defaultWidth });

    /// <summary>The shape of a model as overrides of its preset.</summary>
    public static (Option<int?> Layers, Option<int?> Heads, Option<int?> Width) ShapeOverride(string layers) =>
        (new("--layers") { Description = $"{layers} (overrides the preset)" },
         new("--heads") { Description = "Attention heads per layer (overrides the preset)" },
         new("--width") { Description = "C: embedding width, a multiple of --heads (overrides the preset; the feed-forward layer is 4× as wide)" });

    /// <summary>Checks a shape that came from `--layers`, `--heads`, `--width` (or a preset), naming the options.</summary>
    public static void RequireShape(int layers, int heads, int width)
    {
        if (layers < 1) throw new ArgumentException($"--layers must be ≥ 1, got {layers}.");
        if (heads < 1) throw new ArgumentException($"--heads must be ≥ 1, got {heads}.");
        if (width < 1 || width % heads != 0) throw new ArgumentException($"--width ({width}) must be a positive multiple of --heads ({heads}).");
    }

    /// <summary>`--stop-at`: end a run early with a resumable checkpoint, its schedule still the whole run's (so a resumed run continues it bit for bit).</summary>
    public static Option<int?> StopAt() =>
        new("--stop-at") { Description = "Stop (with a resumable checkpoint) after this step, leaving the schedule unchanged" };

    public static Option<int?> EvalInterval(string description) => new("--eval-interval") { Description = description };

    /// <summary>`--json`: the result as JSON on standard output, and nothing else there (<see cref="CommandOutput"/>).</summary>
    public static Option<bool> Json(string what = "the result as one JSON object") =>
        new(CommandOutput.JsonName) { Description = $"Print {what} on standard output, and nothing else there" };

    /// <summary>`--quiet`: no progress on standard error, only the result on standard output (<see cref="CommandOutput"/>).</summary>
    public static Option<bool> Quiet() =>
        new(CommandOutput.QuietName) { Description = "No progress on standard error: only the result (and errors)" };
}
