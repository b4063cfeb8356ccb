using System.Text.Json;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>Where a classification run stood when it was saved.</summary>
internal sealed record ClassificationState(int Step, double ValAccuracy, string OptionsJson);

/// <summary>
/// A sequence classifier in a <see cref="Checkpoint"/> folder: classifier.safetensors and classifier_config.json (a
/// model Hugging Face has no class for, so not under its file names). Its vocabulary is a fixed token list, saved as
/// vocabulary.json (a JSON array, id = index) instead of a tokenizer.
/// </summary>
internal static class ClassifierCheckpoint
{
    public const string VocabularyFile = "vocabulary.json";

    public static readonly CheckpointFiles Files = new("classifier.safetensors", "classifier_config.json");

    public static void Save(string dir, SequenceClassifier model, IReadOnlyList<string> vocabulary, ClassificationState? state = null)
    {
        if (vocabulary.Count != model.Config.VocabSize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens, the model's vocab_size is {model.Config.VocabSize}.", nameof(vocabulary));
        Checkpoint.Save(dir, Files, model.NamedParameters().Select(p => (p.Name, p.Parameter.Value)), model.Config.ToJson(),
            tokenizer: null, "sharpformer-classifier", state: state,
            writeExtraFiles: folder => AtomicFile.WriteAllText(Path.Combine(folder, VocabularyFile), JsonSerializer.Serialize(vocabulary, TrainingJson.Default.IReadOnlyListString)));
    }

    /// <summary>
    /// Loads the model and its vocabulary from <paramref name="dir"/> (or the complete copy a cut save left): checks the
    /// config against the weights' header before building, then every parameter against the shape the config implies;
    /// NaN or ±∞ weights are refused unless <paramref name="allowNonFinite"/>.
    /// </summary>
    public static (SequenceClassifier Model, IReadOnlyList<string> Vocabulary) Load(string dir, bool allowNonFinite = false)
    {
        dir = Checkpoint.Locate(dir);
        Checkpoint.Preflight(dir, Files);
        var configPath = Checkpoint.Require(dir, Files.Config);
        var config = SequenceClassifierConfig.FromJson(File.ReadAllText(configPath), configPath);
        var model = new SequenceClassifier(config, seed: 0);
        Checkpoint.LoadParameters(dir, model, Files, allowNonFinite);
        var vocabulary = Checkpoint.ReadJson<string[]>(dir, VocabularyFile);
        if (Array.FindIndex(vocabulary, string.IsNullOrEmpty) is int empty and >= 0)
            throw new InvalidDataException($"{Path.Combine(dir, VocabularyFile)}: token {empty} is {(vocabulary[empty] == null ? "null" : "empty")}, expected a string.");
        if (vocabulary.Length != config.VocabSize)
            throw new InvalidDataException($"{Path.Combine(dir, VocabularyFile)}: {vocabulary.Length} tokens, but {Files.Config} says vocab_size {config.VocabSize}.");
        return (model, vocabulary);
    }
}
