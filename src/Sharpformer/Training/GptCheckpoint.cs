using System.Text.Json;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>Where a training run stands: enough to continue it bit for bit.</summary>
public sealed record TrainingState(int Step, ulong[] RngState, float BestValLoss, string OptionsJson);

/// <summary>
/// A GPT checkpoint folder: model.safetensors + config.json + tokenizer.json, and for resuming
/// optimizer.safetensors + state.json. The folder is written under a temporary name and renamed into
/// place, so a crash leaves either the previous checkpoint or the complete new one.
/// </summary>
public static class GptCheckpoint
{
    public const string ModelFile = "model.safetensors", ConfigFile = "config.json", TokenizerFile = "tokenizer.json",
        OptimizerFile = "optimizer.safetensors", StateFile = "state.json";

    public static void Save(string dir, Gpt model, ITokenizer tokenizer, AdamWOptimizer? optimizer = null, TrainingState? state = null)
    {
        var full = Path.GetFullPath(dir);
        var partial = full + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        SafeTensors.Save(Path.Combine(partial, ModelFile), model.NamedParameters().Select(p => (p.Name, p.Parameter.Value)),
            new Dictionary<string, string> { ["format"] = "sharpformer-gpt" });
        AtomicFile.WriteAllText(Path.Combine(partial, ConfigFile), model.Config.ToJson());
        TokenizerFiles.Save(tokenizer, Path.Combine(partial, TokenizerFile));
        if (optimizer != null) SafeTensors.Save(Path.Combine(partial, OptimizerFile), optimizer.StateTensors());
        if (state != null) AtomicFile.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state));
        var old = full + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(partial, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the model and tokenizer; checks that every parameter is present with the shape the config implies.</summary>
    public static (Gpt Model, ITokenizer Tokenizer) Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: checkpoint folder not found.");
        var configPath = Require(dir, ConfigFile);
        GptConfig config;
        try { config = GptConfig.FromJson(File.ReadAllText(configPath), configPath); }
        catch (JsonException e) { throw new InvalidDataException($"{configPath}: malformed config ({e.Message})."); }
        var model = new Gpt(config, seed: 0);
        var modelPath = Require(dir, ModelFile);
        var (tensors, _) = SafeTensors.Load(modelPath);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"{modelPath}: missing tensor '{name}' required by {configPath}.");
            if (!ShapeOf.Equal(t.Shape, p.Shape))
                throw new InvalidDataException($"{modelPath}: tensor '{name}' has shape {ShapeOf.Format(t.Shape)}, the config needs {ShapeOf.Format(p.Shape)}.");
            t.Span.CopyTo(p.Value.Span);
        }
        var tokenizer = TokenizerFiles.Load(Require(dir, TokenizerFile));
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"{dir}: tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {config.VocabSize}.");
        return (model, tokenizer);
    }

    /// <summary>Restores the optimizer and returns the training state saved beside the model.</summary>
    public static TrainingState LoadTrainingState(string dir, AdamWOptimizer optimizer)
    {
        var statePath = Require(dir, StateFile);
        TrainingState state;
        try { state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath)) ?? throw new InvalidDataException($"{statePath}: empty."); }
        catch (JsonException e) { throw new InvalidDataException($"{statePath}: malformed training state ({e.Message})."); }
        var optimizerPath = Require(dir, OptimizerFile);
        optimizer.LoadState(SafeTensors.Load(optimizerPath).Tensors, state.Step, optimizerPath);
        return state;
    }

    private static string Require(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file missing.", path);
        return path;
    }
}
