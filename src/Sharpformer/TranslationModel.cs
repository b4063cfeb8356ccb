using Sharpformer.Generation;
using Sharpformer.Training;

namespace Sharpformer;

/// <summary>
/// A trained encoder–decoder translator (what <c>sharpformer train-translation</c> writes): translates sentences
/// with batched beam search, and traces one teacher-forced pass (<see cref="Trace"/>). One call at a time; concurrent
/// calls wait for each other.
/// </summary>
public sealed partial class TranslationModel
{
    private readonly Models.Translator _model;
    private readonly Models.TranslationVocabulary _source, _target;
    private readonly Lock _turn = new();

    private TranslationModel(Models.Translator model, Models.TranslationVocabulary source, Models.TranslationVocabulary target) =>
        (_model, _source, _target) = (model, source, target);

    /// <summary>Loads the translator in <paramref name="directory"/> (a checkpoint folder, or a training output folder's best/ or last/).</summary>
    /// <exception cref="DirectoryNotFoundException">No checkpoint in the folder.</exception>
    /// <exception cref="InvalidDataException">A file of the checkpoint is not what its format says.</exception>
    public static TranslationModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var (model, source, target) = TranslatorCheckpoint.Load(ModelDirectory.Resolve(directory, "model folder"));
        return new TranslationModel(model, source, target);
    }

    /// <summary>Translates one sentence.</summary>
    public string Translate(string sentence, int beamSize = 4) => Translate([sentence], beamSize)[0];

    /// <summary>
    /// Translates <paramref name="sentences"/>, decoding up to 64 together, and returns the translations in input order.
    /// <paramref name="beamSize"/> 1 is greedy; <paramref name="lengthPenalty"/> is GNMT's α (0 = none).
    /// </summary>
    public IReadOnlyList<string> Translate(IReadOnlyList<string> sentences, int beamSize = 4, float lengthPenalty = 0.6f)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var options = new BeamSearchOptions(beamSize, lengthPenalty);
        lock (_turn) return TranslationTrainer.Translate(_model, _source, _target, sentences, options);
    }
}
