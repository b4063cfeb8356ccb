using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// Where a training run stands: enough to continue it bit for bit. <see cref="Elapsed"/> is the training time
/// spent so far, which a time limit counts against (absent from older checkpoints: zero).
/// </summary>
internal sealed record TrainingState(int Step, ulong[] RngState, float BestValLoss, string OptionsJson, TimeSpan Elapsed = default);

/// <summary>A GPT in a <see cref="Checkpoint"/> folder.</summary>
internal static class GptCheckpoint
{
    public const string ModelFile = Checkpoint.ModelFile, ConfigFile = Checkpoint.ConfigFile, StateFile = Checkpoint.StateFile;

    public static void Save(string dir, Gpt model, ITokenizer tokenizer, AdamWOptimizer? optimizer = null, TrainingState? state = null) =>
        Checkpoint.Save(dir, model, model.Config.ToJson(), tokenizer, "sharpformer-gpt", optimizer, state);

    /// <summary>Loads the model and tokenizer; checks every parameter against the shape the config implies.</summary>
    public static (Gpt Model, ITokenizer Tokenizer) Load(string dir)
    {
        var configPath = Checkpoint.Require(dir, ConfigFile);
        var config = GptConfig.FromJson(File.ReadAllText(configPath), configPath);
        var model = new Gpt(config, seed: 0);
        Checkpoint.LoadParameters(dir, model);
        var tokenizer = Checkpoint.LoadTokenizer(dir);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"{dir}: tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {config.VocabSize}.");
        return (model, tokenizer);
    }

    /// <summary>Restores the optimizer and returns the training state saved beside the model.</summary>
    public static TrainingState LoadTrainingState(string dir, AdamWOptimizer optimizer)
    {
        var state = Checkpoint.ReadJson<TrainingState>(dir, StateFile);
        Checkpoint.LoadOptimizer(dir, optimizer, state.Step);
        return state;
    }
}
