using Sharpformer.Models;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// Resolves `--model DIR`: a checkpoint folder (a GPT's, which is a Hugging Face GPT-2 folder, and any GPT-2 folder
/// from transformers; a translator's; a classifier's), or a training output folder holding best/ and last/.
/// </summary>
internal static class ModelDirectory
{
    /// <summary>
    /// The checkpoint folder, checked before any model is built (<see cref="ModelPreflight"/>): the config within the
    /// stated limits, agreeing with the weights file's header, and small enough for this machine's memory.
    /// </summary>
    public static string Resolve(string dir)
    {
        var (checkpoint, files) = Find(dir);
        ModelPreflight.Check(Path.Combine(checkpoint, files.Config), Path.Combine(checkpoint, files.Weights));
        return checkpoint;
    }

    private static readonly CheckpointFiles[] Kinds = [GptCheckpoint.Files, TranslatorCheckpoint.Files, ClassifierCheckpoint.Files];

    private static (string Dir, CheckpointFiles Files) Find(string dir)
    {
        foreach (var folder in new[] { dir, Path.Combine(dir, "best"), Path.Combine(dir, "last") })
            foreach (var files in Kinds)
                if (File.Exists(Path.Combine(folder, files.Config))) return (folder, files);
        throw new DirectoryNotFoundException($"--model {dir}: no checkpoint there (expected {string.Join(", ", Kinds.Select(k => k.Config))}, " +
            "or best/ or last/ from `sharpformer train`).");
    }

    /// <summary>The training options saved with the checkpoint, or the defaults when it has none.</summary>
    public static GptTrainingOptions TrainingOptions(string checkpoint)
    {
        if (!File.Exists(Path.Combine(checkpoint, Checkpoint.StateFile))) return new GptTrainingOptions();
        return GptTrainingOptions.FromJson(Checkpoint.ReadJson<TrainingState>(checkpoint, Checkpoint.StateFile).OptionsJson);
    }
}
