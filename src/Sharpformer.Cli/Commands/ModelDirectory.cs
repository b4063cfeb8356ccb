using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>Resolves `--model DIR`: a checkpoint folder, or a training output folder holding best/ and last/.</summary>
internal static class ModelDirectory
{
    /// <summary>
    /// The checkpoint folder, checked before any model is built (<see cref="ModelPreflight"/>): config.json within the
    /// stated limits, agreeing with the weights file's header, and small enough for this machine's memory.
    /// </summary>
    public static string Resolve(string dir)
    {
        var checkpoint = Find(dir);
        ModelPreflight.Check(Path.Combine(checkpoint, Checkpoint.ConfigFile), Path.Combine(checkpoint, Checkpoint.ModelFile));
        return checkpoint;
    }

    private static string Find(string dir)
    {
        if (File.Exists(Path.Combine(dir, GptCheckpoint.ConfigFile))) return dir;
        foreach (var sub in new[] { "best", "last" })
            if (File.Exists(Path.Combine(dir, sub, GptCheckpoint.ConfigFile))) return Path.Combine(dir, sub);
        throw new DirectoryNotFoundException($"--model {dir}: no checkpoint there (expected {GptCheckpoint.ConfigFile}, or best/ or last/ from `sharpformer train`).");
    }

    /// <summary>The training options saved with the checkpoint, or the defaults when it has none.</summary>
    public static GptTrainingOptions TrainingOptions(string checkpoint)
    {
        if (!File.Exists(Path.Combine(checkpoint, Checkpoint.StateFile))) return new GptTrainingOptions();
        return GptTrainingOptions.FromJson(Checkpoint.ReadJson<TrainingState>(checkpoint, Checkpoint.StateFile).OptionsJson);
    }
}
