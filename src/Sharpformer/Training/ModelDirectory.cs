using Sharpformer.Models;

namespace Sharpformer.Training;

/// <summary>
/// Resolves a model folder: a checkpoint folder (a GPT's, which is a Hugging Face GPT-2 folder, and any GPT-2 folder
/// from transformers; a translator's; a classifier's), or a training output folder holding best/ and last/.
/// </summary>
internal static class ModelDirectory
{
    /// <summary>
    /// The checkpoint folder, checked before any model is built (<see cref="ModelPreflight"/>): the config within the
    /// stated limits, agreeing with the weights file's header, and small enough for this machine's memory.
    /// <paramref name="label"/> names the input in messages (the CLI's option, or the API's parameter).
    /// </summary>
    public static string Resolve(string dir, string label = "--model")
    {
        var (checkpoint, files) = Find(dir, label);
        ModelPreflight.Check(Path.Combine(checkpoint, files.Config), Path.Combine(checkpoint, files.Weights));
        return checkpoint;
    }

    private static readonly CheckpointFiles[] Kinds = [GptCheckpoint.Files, TranslatorCheckpoint.Files, ClassifierCheckpoint.Files];

    private static (string Dir, CheckpointFiles Files) Find(string dir, string label)
    {
        // Checkpoint.TryLocate: a folder whose save was cut between its renames is read from its complete copy, X.old.
        foreach (var candidate in new[] { dir, Path.Combine(dir, "best"), Path.Combine(dir, "last") })
            if (Checkpoint.TryLocate(candidate) is string folder)
                foreach (var files in Kinds)
                    if (File.Exists(Path.Combine(folder, files.Config))) return (folder, files);
        throw new DirectoryNotFoundException($"{label} {dir}: no checkpoint there (expected {string.Join(", ", Kinds.Select(k => k.Config))}, " +
            "or best/ or last/ from `sharpformer train`).");
    }

    /// <summary>The training options saved with the checkpoint, or the defaults when it has none.</summary>
    public static GptTrainingOptions TrainingOptions(string checkpoint)
    {
        if (!File.Exists(Path.Combine(checkpoint, Checkpoint.StateFile))) return new GptTrainingOptions();
        return CheckpointStates.ReadGpt(checkpoint).Options;
    }
}
