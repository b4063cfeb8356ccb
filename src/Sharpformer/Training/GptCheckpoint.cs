using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// Where a training run stands: enough to continue it bit for bit. <see cref="Elapsed"/> is the training time
/// spent so far, which a time limit counts against (absent from older checkpoints: zero).
/// </summary>
internal sealed record TrainingState(int Step, ulong[] RngState, float BestValLoss, string OptionsJson, TimeSpan Elapsed = default);

/// <summary>
/// A GPT in a <see cref="Checkpoint"/> folder that is also a Hugging Face GPT-2 folder: config.json as transformers
/// writes it for GPT2LMHeadModel (<see cref="Gpt2Config"/>), model.safetensors under GPT-2's tensor names
/// (<see cref="Gpt2Weights"/>) and tokenizer.json in Hugging Face tokenizers' format. The training state stays in
/// files of our own names (optimizer.safetensors, state.json). Any GPT-2 folder from transformers loads the same way.
/// </summary>
internal static class GptCheckpoint
{
    public const string ModelFile = Checkpoint.ModelFile, ConfigFile = Checkpoint.ConfigFile, StateFile = Checkpoint.StateFile;

    /// <summary>The metadata transformers requires of a safetensors file it loads ("pt": PyTorch tensors).</summary>
    public const string WeightsFormat = "pt";

    public static readonly CheckpointFiles Files = new(ModelFile, ConfigFile);

    public static void Save(string dir, Gpt model, ITokenizer tokenizer, AdamWOptimizer? optimizer = null, TrainingState? state = null)
    {
        int? endOfText = tokenizer is BpeTokenizer bpe && bpe.SpecialTokens.TryGetValue("<|endoftext|>", out int id) ? id : null;
        Checkpoint.Save(dir, Files, Gpt2Weights.Export(model), model.Config.ToJson(endOfText), tokenizer, WeightsFormat, optimizer, state);
    }

    /// <summary>
    /// Loads the model and tokenizer from <paramref name="dir"/> (or the complete copy a cut save left,
    /// <see cref="Checkpoint.Locate"/>). The config is checked against the limits, the weights file's header (every
    /// tensor present with its shape) and the machine's memory before anything is built (<see cref="Checkpoint.Preflight"/>).
    /// A config that says sharpformer_bias false gives a model without biases when the stored biases are all zero, and
    /// one with biases when they are not (the model was trained on elsewhere). NaN or ±∞ weights are refused unless
    /// <paramref name="allowNonFinite"/>.
    /// </summary>
    public static (Gpt Model, ITokenizer Tokenizer) Load(string dir, bool allowNonFinite = false)
    {
        dir = Checkpoint.Locate(dir);
        var model = LoadModel(dir, allowNonFinite);
        var tokenizer = Checkpoint.LoadTokenizer(dir);
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new InvalidDataException($"{dir}: tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {model.Config.VocabSize}.");
        return (model, tokenizer);
    }

    /// <summary>The model of a folder alone (config.json and model.safetensors), checked as <see cref="Load"/> does.</summary>
    public static Gpt LoadModel(string dir, bool allowNonFinite = false)
    {
        dir = Checkpoint.Locate(dir);
        Checkpoint.Preflight(dir, Files);
        var configPath = Checkpoint.Require(dir, ConfigFile);
        var config = GptConfig.FromJson(File.ReadAllText(configPath), configPath);
        var weightsPath = Checkpoint.Require(dir, ModelFile);
        Gpt2Weights.CheckHeader(SafeTensorsHeader.Read(weightsPath), config, configPath);
        var tensors = SafeTensors.Load(weightsPath, allowNonFinite).Tensors.ToDictionary(kv => Gpt2Weights.Unprefixed(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        if (!config.Bias && !Gpt2Weights.BiasesAreZero(tensors, config)) config = config with { Bias = true };
        var model = new Gpt(config, seed: 0);
        Gpt2Weights.Import(model, tensors);
        return model;
    }

    /// <summary>Restores the optimizer and returns the training state saved beside the model (checked, <see cref="CheckpointStates"/>).</summary>
    public static TrainingState LoadTrainingState(string dir, AdamWOptimizer optimizer)
    {
        dir = Checkpoint.Locate(dir);
        var (state, _) = CheckpointStates.ReadGpt(dir);
        Checkpoint.LoadOptimizer(dir, optimizer, state.Step);
        return state;
    }
}
