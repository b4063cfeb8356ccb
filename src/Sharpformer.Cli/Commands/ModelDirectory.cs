using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>Resolves `--model DIR`: a checkpoint folder, or a training output folder holding best/ and last/.</summary>
internal static class ModelDirectory
{
    public static string Resolve(string dir)
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
