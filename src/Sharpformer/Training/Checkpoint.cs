using System.Text.Json;
using Sharpformer.Models;
using Sharpformer.Nn;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// A checkpoint folder: model.safetensors + config.json + tokenizer.json (absent for a model with a fixed
/// vocabulary), and for resuming optimizer.safetensors + state.json. The folder X is written as X.partial, the previous
/// one renamed to X.old, X.partial renamed to X, and X.old deleted; a crash at any point leaves a complete checkpoint at
/// X or, between the two renames, at X.old, which loading falls back to (<see cref="Locate"/>) and the next save puts
/// back before it deletes anything.
/// </summary>
public static class Checkpoint
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

    /// <summary>Suffixes of the folders a save works in beside X: the one being written, and the previous checkpoint while the new one moves in.</summary>
    public const string PartialSuffix = ".partial", OldSuffix = ".old";

    /// <summary>
    /// Writes the checkpoint folder <paramref name="dir"/> (see the type's summary for the order of the renames). Refuses,
    /// before writing anything, a model with a NaN or ±∞ weight (<see cref="NonFiniteTrainingException"/>).
    /// </summary>
    public static void Save(string dir, Module model, string configJson, ITokenizer? tokenizer, string format,
        AdamWOptimizer? optimizer = null, object? state = null, Action<string>? writeExtraFiles = null)
    {
        NonFiniteTrainingException.ThrowIfWeightsNonFinite(dir, model.NamedParameters());
        var full = FullPath(dir);
        var partial = full + PartialSuffix;
        var old = full + OldSuffix;
        // A save cut between its renames left the previous checkpoint only as X.old: back in place before anything is deleted.
        if (!Directory.Exists(full) && Directory.Exists(old)) Directory.Move(old, full);
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        SafeTensors.Save(Path.Combine(partial, ModelFile), model.NamedParameters().Select(p => (p.Name, p.Parameter.Value)),
            new Dictionary<string, string> { ["format"] = format });
        AtomicFile.WriteAllText(Path.Combine(partial, ConfigFile), configJson);
        if (tokenizer != null) TokenizerFiles.Save(tokenizer, Path.Combine(partial, TokenizerFile));
        if (optimizer != null) SafeTensors.Save(Path.Combine(partial, OptimizerFile), optimizer.StateTensors());
        if (state != null) AtomicFile.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, state.GetType(), JsonOptions));
        writeExtraFiles?.Invoke(partial);
        // X exists here whenever X.old does, so X.old is a stale copy (a deletion cut short, say).
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(full)) Directory.Move(full, old);
        Directory.Move(partial, full);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    private static string FullPath(string dir) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));

    /// <summary>
    /// The folder the checkpoint <paramref name="dir"/> is read from: <paramref name="dir"/> itself, or, when a save was cut
    /// between its two renames, the complete previous checkpoint at dir.old; null when there is neither.
    /// </summary>
    public static string? TryLocate(string dir)
    {
        if (Directory.Exists(dir)) return dir;
        var old = FullPath(dir) + OldSuffix;
        return Directory.Exists(old) ? old : null;
    }

    /// <summary>As <see cref="TryLocate"/>; throws naming the folder when there is no checkpoint.</summary>
    public static string Locate(string dir) =>
        TryLocate(dir) ?? throw new DirectoryNotFoundException($"{dir}: checkpoint folder not found.");

    /// <summary>
    /// Checks config.json against the limits, the weights file's header and the machine's memory before a model is built
    /// (<see cref="ModelPreflight"/>): an absurd or mismatched config is named, never allocated.
    /// </summary>
    public static void Preflight(string dir) => ModelPreflight.Check(Require(dir, ConfigFile), Require(dir, ModelFile));

    /// <summary>The path of a checkpoint file; throws naming it when missing.</summary>
    public static string Require(string dir, string file)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: checkpoint folder not found.");
        var path = Path.Combine(dir, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file missing.", path);
        return path;
    }

    /// <summary>
    /// As <see cref="JsonOptions"/>, for reading: a record's constructor parameters without a default are required, and
    /// null is refused where the type does not allow it.
    /// </summary>
    public static readonly JsonSerializerOptions ReadJsonOptions = new(JsonOptions)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>
    /// Reads a JSON file of the checkpoint (strict UTF-8) into <typeparamref name="T"/> with <see cref="ReadJsonOptions"/>;
    /// malformed JSON, a missing field or a null is reported with the file name.
    /// </summary>
    public static T ReadJson<T>(string dir, string file)
    {
        var path = Require(dir, file);
        try { return JsonSerializer.Deserialize<T>(Data.TextFiles.ReadAllText(path), ReadJsonOptions) ?? throw new InvalidDataException($"{path}: empty file."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed JSON ({e.Message})."); }
    }

    /// <summary>
    /// Copies every parameter from model.safetensors; each must be present with the shape the model has, and finite
    /// unless <paramref name="allowNonFinite"/> (to inspect a diverged run).
    /// </summary>
    public static void LoadParameters(string dir, Module model, bool allowNonFinite = false)
    {
        var modelPath = Require(dir, ModelFile);
        var (tensors, _) = SafeTensors.Load(modelPath, allowNonFinite);
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
