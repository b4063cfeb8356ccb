using System.Text.Json;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>Where a classification run stood when it was saved.</summary>
internal sealed record ClassificationState(int Step, double ValAccuracy, string OptionsJson);

/// <summary>
/// A sequence classifier in a <see cref="Checkpoint"/> folder. Its vocabulary is a fixed token list, saved as
/// vocabulary.json (a JSON array, id = index) instead of a tokenizer.
/// </summary>
internal static class ClassifierCheckpoint
{
    public const string VocabularyFile = "vocabulary.json";

    public static void Save(string dir, SequenceClassifier model, IReadOnlyList<string> vocabulary, ClassificationState? state = null)
    {
        if (vocabulary.Count != model.Config.VocabSize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens, the model's vocab_size is {model.Config.VocabSize}.", nameof(vocabulary));
        Checkpoint.Save(dir, model, model.Config.ToJson(), tokenizer: null, "sharpformer-classifier", state: state,
            writeExtraFiles: folder => AtomicFile.WriteAllText(Path.Combine(folder, VocabularyFile), JsonSerializer.Serialize(vocabulary)));
    }

    /// <summary>Loads the model and its vocabulary; checks every parameter against the shape the config implies.</summary>
    public static (SequenceClassifier Model, IReadOnlyList<string> Vocabulary) Load(string dir)
    {
        var configPath = Checkpoint.Require(dir, Checkpoint.ConfigFile);
        var config = SequenceClassifierConfig.FromJson(File.ReadAllText(configPath), configPath);
        var model = new SequenceClassifier(config, seed: 0);
        Checkpoint.LoadParameters(dir, model);
        var vocabulary = Checkpoint.ReadJson<string[]>(dir, VocabularyFile);
        if (vocabulary.Length != config.VocabSize)
            throw new InvalidDataException($"{Path.Combine(dir, VocabularyFile)}: {vocabulary.Length} tokens, but {Checkpoint.ConfigFile} says vocab_size {config.VocabSize}.");
        return (model, vocabulary);
    }
}
