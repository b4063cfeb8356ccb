using System.Text.Json;

namespace Sharpformer.Training;

/// <summary>
/// Reads a checkpoint's state.json and checks every field before a run resumes from it: all fields present (older
/// checkpoints may lack Elapsed), steps and epochs ≥ 0, generator states of six words not all zero, the training options
/// parseable and valid. Each failure is one <see cref="InvalidDataException"/> naming the file and the field.
/// </summary>
internal static class CheckpointStates
{
    /// <summary>The state of a GPT run (<see cref="GptTrainer"/>) and its options.</summary>
    public static (TrainingState State, GptTrainingOptions Options) ReadGpt(string dir)
    {
        var (state, path) = Read<TrainingState>(dir);
        RequireStep(path, state.Step);
        RequireRng(path, nameof(state.RngState), state.RngState);
        if (float.IsNaN(state.BestValLoss) || state.BestValLoss == float.NegativeInfinity)
            throw new InvalidDataException($"{path}: BestValLoss is {state.BestValLoss}, expected a loss or Infinity (none yet).");
        RequireElapsed(path, state.Elapsed);
        var options = Options(path, state.OptionsJson, json => GptTrainingOptions.FromJson(json).Validated());
        return (state, options);
    }

    /// <summary>The state of a translation run (<see cref="TranslationTrainer"/>) and its options.</summary>
    public static (TranslationState State, TranslationTrainingOptions Options) ReadTranslation(string dir)
    {
        var (state, path) = Read<TranslationState>(dir);
        RequireStep(path, state.Step);
        if (state.Epoch < 0) throw new InvalidDataException($"{path}: Epoch is {state.Epoch}, expected a count ≥ 0.");
        if (state.BatchInEpoch < 0) throw new InvalidDataException($"{path}: BatchInEpoch is {state.BatchInEpoch}, expected a count ≥ 0.");
        RequireRng(path, nameof(state.EpochRngState), state.EpochRngState);
        RequireRng(path, nameof(state.DropoutRngState), state.DropoutRngState);
        RequireElapsed(path, state.Elapsed);
        var options = Options(path, state.OptionsJson, json => TranslationTrainingOptions.FromJson(json).Validated());
        return (state, options);
    }

    private static (T State, string Path) Read<T>(string dir) =>
        (Checkpoint.ReadJson<T>(dir, Checkpoint.StateFile), Path.Combine(dir, Checkpoint.StateFile));

    private static void RequireStep(string path, int step)
    {
        if (step < 0) throw new InvalidDataException($"{path}: Step is {step}, expected a count of steps ≥ 0.");
    }

    // Rng.GetState: four xoshiro256** words (not all zero, a state the generator never leaves), the cached-normal flag and bits.
    private static void RequireRng(string path, string field, ulong[] state)
    {
        if (state.Length != 6) throw new InvalidDataException($"{path}: {field} has {state.Length} words, expected 6 (a generator state).");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new InvalidDataException($"{path}: {field} is all zeros, which no generator reaches.");
        if (state[4] > 1) throw new InvalidDataException($"{path}: {field}[4] is {state[4]}, expected 0 or 1 (whether a normal is cached).");
    }

    private static void RequireElapsed(string path, TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero) throw new InvalidDataException($"{path}: Elapsed is {elapsed}, expected a training time ≥ 0.");
    }

    private static T Options<T>(string path, string json, Func<string, T> parse)
    {
        try { return parse(json); }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: OptionsJson is not valid training options ({e.Message.TrimEnd('.')}).", e);
        }
    }
}
