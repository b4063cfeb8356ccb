using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Sharpformer.Models;
using Sharpformer.Nn;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// A checkpoint folder: the weights and the config (a GPT's under Hugging Face's names, model.safetensors and
/// config.json, in GPT-2's layout; a translator's and a classifier's under names of their own, see
/// <see cref="CheckpointFiles"/>), the tokenizer (<see cref="TokenizerFile"/> in Hugging Face's format for byte-level
/// BPE, <see cref="CharTokenizerFile"/> for characters; absent for a model with a fixed vocabulary), and for resuming
/// optimizer.safetensors + state.json. The folder X is written as X.partial, the previous one renamed to X.old,
/// X.partial renamed to X, and X.old deleted; a crash at any point leaves a complete checkpoint at X or, between the
/// two renames, at X.old, which loading falls back to (<see cref="Locate"/>) and the next save puts back before it
/// deletes anything.
/// </summary>
internal static class Checkpoint
{
    public const string ModelFile = "model.safetensors", ConfigFile = "config.json", TokenizerFile = "tokenizer.json",
        CharTokenizerFile = "char_tokenizer.json", OptimizerFile = "optimizer.safetensors", StateFile = "state.json";

    /// <summary>State files may hold ±∞ or NaN (no best loss yet, a diverged run): written as JSON strings.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = TrainingJson.Default,
    };

    /// <summary>For the lines of a run's log.jsonl: as <see cref="JsonOptions"/>, leaving out null fields (stopped_by before the last line).</summary>
    public static readonly JsonSerializerOptions LogJsonOptions = new(JsonOptions)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>One line of log.jsonl (<typeparamref name="T"/> is one of <see cref="TrainingJson"/>'s log lines), written with <see cref="LogJsonOptions"/>.</summary>
    public static string LogLine<T>(T line) => JsonSerializer.Serialize(line, (JsonTypeInfo<T>)LogJsonOptions.GetTypeInfo(typeof(T)));

    /// <summary>Suffixes of the folders a save works in beside X: the one being written, and the previous checkpoint while the new one moves in.</summary>
    public const string PartialSuffix = ".partial", OldSuffix = ".old";

    /// <summary>
    /// Writes <paramref name="weights"/> (with "format" = <paramref name="format"/> in the safetensors metadata) and
    /// <paramref name="configJson"/> under <paramref name="files"/>' names, and the rest beside them (see the type's
    /// summary for the order of the renames). Refuses, before writing anything, a NaN or ±∞ weight
    /// (<see cref="NonFiniteTrainingException"/>).
    /// </summary>
    public static void Save(string dir, CheckpointFiles files, IEnumerable<(string Name, Tensor Tensor)> weights, string configJson,
        ITokenizer? tokenizer, string format, AdamWOptimizer? optimizer = null, object? state = null, Action<string>? writeExtraFiles = null)
    {
        var named = weights as IReadOnlyCollection<(string Name, Tensor Tensor)> ?? weights.ToList();
        NonFiniteTrainingException.ThrowIfWeightsNonFinite(dir, named);
        var full = FullPath(dir);
        var partial = full + PartialSuffix;
        var old = full + OldSuffix;
        // A save cut between its renames left the previous checkpoint only as X.old: back in place before anything is deleted.
        if (!Directory.Exists(full) && Directory.Exists(old)) Directory.Move(old, full);
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        SafeTensors.Save(Path.Combine(partial, files.Weights), named, new Dictionary<string, string> { ["format"] = format });
        AtomicFile.WriteAllText(Path.Combine(partial, files.Config), configJson);
        if (tokenizer != null) TokenizerFiles.Save(tokenizer, Path.Combine(partial, TokenizerFileFor(tokenizer)));
        if (optimizer != null) SafeTensors.Save(Path.Combine(partial, OptimizerFile), optimizer.StateTensors());
        if (state != null) AtomicFile.WriteAllText(Path.Combine(partial, StateFile), JsonSerializer.Serialize(state, JsonOptions.GetTypeInfo(state.GetType())));
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
    /// Checks the config against the limits, the weights file's header and the machine's memory before a model is built
    /// (<see cref="ModelPreflight"/>): an absurd or mismatched config is named, never allocated.
    /// </summary>
    public static void Preflight(string dir, CheckpointFiles files) =>
        ModelPreflight.Check(Require(dir, files.Config), Require(dir, files.Weights));

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
        var type = (JsonTypeInfo<T>)ReadJsonOptions.GetTypeInfo(typeof(T));
        try { return JsonSerializer.Deserialize(Data.TextFiles.ReadAllText(path), type) ?? throw new InvalidDataException($"{path}: empty file."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: malformed JSON ({e.Message})."); }
    }

    /// <summary>
    /// Copies every parameter from the weights file under its own name; each must be present with the shape the model
    /// has, and finite unless <paramref name="allowNonFinite"/> (to inspect a diverged run).
    /// </summary>
    public static void LoadParameters(string dir, Module model, CheckpointFiles files, bool allowNonFinite = false)
    {
        var modelPath = Require(dir, files.Weights);
        var (tensors, _) = SafeTensors.Load(modelPath, allowNonFinite);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"{modelPath}: missing tensor '{name}' required by {files.Config}.");
            if (!ShapeOf.Equal(t.Shape, p.Shape))
                throw new InvalidDataException($"{modelPath}: tensor '{name}' has shape {ShapeOf.Format(t.Shape)}, {files.Config} needs {ShapeOf.Format(p.Shape)}.");
            t.Span.CopyTo(p.Value.Span);
        }
    }

    /// <summary>Where a tokenizer is saved: Hugging Face's name only for what Hugging Face reads there (byte-level BPE).</summary>
    public static string TokenizerFileFor(ITokenizer tokenizer) => tokenizer is CharTokenizer ? CharTokenizerFile : TokenizerFile;

    /// <summary>
    /// The folder's tokenizer: tokenizer.json, char_tokenizer.json, or (as in a GPT-2 folder from the Hugging Face hub
    /// without tokenizer.json) vocab.json + merges.txt.
    /// </summary>
    public static ITokenizer LoadTokenizer(string dir)
    {
        foreach (var file in new[] { TokenizerFile, CharTokenizerFile, HuggingFaceVocabularyFormat.VocabFile })
            if (File.Exists(Path.Combine(dir, file))) return TokenizerFiles.Load(Path.Combine(dir, file));
        throw new FileNotFoundException($"{dir}: no tokenizer there (expected {TokenizerFile}, {CharTokenizerFile}, or " +
            $"{HuggingFaceVocabularyFormat.VocabFile} with {HuggingFaceVocabularyFormat.MergesFile}).", Path.Combine(dir, TokenizerFile));
    }

    /// <summary>Restores optimizer moments saved beside the model at <paramref name="step"/>.</summary>
    public static void LoadOptimizer(string dir, AdamWOptimizer optimizer, int step)
    {
        var path = Require(dir, OptimizerFile);
        optimizer.LoadState(SafeTensors.Load(path).Tensors, step, path);
    }
}

/// <summary>The names of a checkpoint's weights file and config file.</summary>
internal sealed record CheckpointFiles(string Weights, string Config);
