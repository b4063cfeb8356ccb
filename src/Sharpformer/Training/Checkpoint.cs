using System.Text.Json;
using Sharpformer.Nn;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// A checkpoint folder: model.safetensors + config.json + tokenizer.json (absent for a model with a fixed
/// vocabulary), and for resuming optimizer.safetensors + state.json. The folder is written under a temporary name and renamed into
/// place, so a crash leaves either the previous checkpoint or the complete new one.
/// </summary>
internal static class Checkpoint
{
    public const string ModelFile = "model.safetensors", ConfigFile = "config.json", TokenizerFile = "tokenizer.json",
        OptimizerFile = "optimizer.safetensors", StateFile = "state.json";

    /// <summary>State files may hold ±∞ or NaN (no best loss yet, a diverged run): written as JSON strings.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>For the lines of a run's log.jsonl: as <see cref="JsonOptions"/>, leaving out null fields (stopped_by before the last line).</summary>
    public static readonly JsonSerializerOptions LogJsonOptions = new(JsonOptions)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Save(string dir, Module model, string configJson, ITokenizer? tokenizer, string format,
        AdamWOptimizer? optimizer = null, object? state = null, Action<string>? writeExtraFiles = null)
    {
        var full = Path.GetFullPath(dir);
        var partial = full + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        SafeTensors.Save(Path.Combine(partial, ModelFile), model.NamedParameters().Select(p => (p.Name, p.Parameter.Value)),
            new Dictionary<string, string> { ["format"] = format });
        AtomicFile.WriteAllText(Path.Combine(partial, ConfigFile), configJson);
        if (tokenizer != null) TokenizerFiles.Save(tokenizer, Path.Combine(partial, TokenizerFile));
        if (optimizer != null) SafeTensors.Save(Path.Combine(partial, OptimizerFile), optimizer.StateTensors());
        if (state != null) AtomicFile.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, state.GetType(), JsonOptions));
        writeExtraFiles?.Invoke(partial);
        var old = full + ".old";
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(partial, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>The path of a checkpoint file; throws naming it when missing.</summary>
    public static string Require(string dir, string file)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: checkpoint folder not found.");
        var path = Path.Combine(dir, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file missing.", path);
        return path;
    }

    /// <summary>Reads a JSON file of the checkpoint into <typeparamref name="T"/>; malformed JSON is reported with the file name.</summary>
    public static T ReadJson<T>(string dir, string file)
    {
        var path = Require(dir, file);
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), JsonOptions) ?? throw new InvalidDataException($"{path}: empty file."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed JSON ({e.Message})."); }
    }

    /// <summary>Copies every parameter from model.safetensors; each must be present with the shape the model has.</summary>
    public static void LoadParameters(string dir, Module model)
    {
        var modelPath = Require(dir, ModelFile);
        var (tensors, _) = SafeTensors.Load(modelPath);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"{modelPath}: missing tensor '{name}' required by {ConfigFile}.");
            if (!ShapeOf.Equal(t.Shape, p.Shape))
                throw new InvalidDataException($"{modelPath}: tensor '{name}' has shape {ShapeOf.Format(t.Shape)}, {ConfigFile} needs {ShapeOf.Format(p.Shape)}.");
            t.Span.CopyTo(p.Value.Span);
        }
    }

    public static ITokenizer LoadTokenizer(string dir) => TokenizerFiles.Load(Require(dir, TokenizerFile));

    /// <summary>Restores optimizer moments saved beside the model at <paramref name="step"/>.</summary>
    public static void LoadOptimizer(string dir, AdamWOptimizer optimizer, int step)
    {
        var path = Require(dir, OptimizerFile);
        optimizer.LoadState(SafeTensors.Load(path).Tensors, step, path);
    }
}
