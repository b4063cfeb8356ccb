using Sharpformer.Models;

namespace Sharpformer.Training;

/// <summary>Resolves a model folder: a checkpoint folder, or a training output folder holding best/ and last/.</summary>
internal static class ModelDirectory
{
    /// <summary>
    /// The checkpoint folder, checked before any model is built (<see cref="ModelPreflight"/>): config.json within the
    /// stated limits, agreeing with the weights file's header, and small enough for this machine's memory.
    /// <paramref name="label"/> names the input in messages (the CLI's option, or the API's parameter).
    /// </summary>
    public static string Resolve(string dir, string label = "--model")
    {
        var checkpoint = Find(dir, label);
        ModelPreflight.Check(Path.Combine(checkpoint, Checkpoint.ConfigFile), Path.Combine(checkpoint, Checkpoint.ModelFile));
        return checkpoint;
    }

    private static string Find(string dir, string label)
    {
        if (File.Exists(Path.Combine(dir, GptCheckpoint.ConfigFile))) return dir;
        foreach (var sub in new[] { "best", "last" })
            if (File.Exists(Path.Combine(dir, sub, GptCheckpoint.ConfigFile))) return Path.Combine(dir, sub);
        throw new DirectoryNotFoundException($"{label} {dir}: no checkpoint there (expected {GptCheckpoint.ConfigFile}, or best/ or last/ from `sharpformer train`).");
    }

    /// <summary>The training options saved with the checkpoint, or the defaults when it has none.</summary>
    public static GptTrainingOptions TrainingOptions(string checkpoint)
    {
        if (!File.Exists(Path.Combine(checkpoint, Checkpoint.StateFile))) return new GptTrainingOptions();
        return GptTrainingOptions.FromJson(Checkpoint.ReadJson<TrainingState>(checkpoint, Checkpoint.StateFile).OptionsJson);
    }
}
