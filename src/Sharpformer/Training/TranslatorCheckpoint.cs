using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Training;

/// <summary>
/// Where a translation run stands: the step, the data order and generators, the best validation BLEU, and the
/// training time spent (counted against the time limit; absent from older checkpoints: zero).
/// </summary>
internal sealed record TranslationState(int Step, int Epoch, int BatchInEpoch, ulong[] EpochRngState, ulong[] DropoutRngState,
    double BestBleu, string OptionsJson, TimeSpan Elapsed = default);

/// <summary>
/// A translator in a <see cref="Checkpoint"/> folder: translator.safetensors and translator_config.json (a model
/// Hugging Face has no class for, so not under its file names); with separate vocabularies the target tokenizer is
/// saved beside the source one as target_tokenizer.json.
/// </summary>
internal static class TranslatorCheckpoint
{
    public const string TargetTokenizerFile = "target_tokenizer.json";

    public static readonly CheckpointFiles Files = new("translator.safetensors", "translator_config.json");

    public static void Save(string dir, Translator model, TranslationVocabulary source, TranslationVocabulary target,
        AdamWOptimizer? optimizer = null, TranslationState? state = null)
    {
        Checkpoint.Save(dir, Files, model.NamedParameters().Select(p => (p.Name, p.Parameter.Value)), model.Config.ToJson(),
            source.Tokenizer, "sharpformer-translator", optimizer, state,
            model.Config.SharedVocabulary ? null : folder => TokenizerFiles.Save(target.Tokenizer, Path.Combine(folder, TargetTokenizerFile)));
    }

    /// <summary>
    /// Loads the model and its vocabularies from <paramref name="dir"/> (or the complete copy a cut save left), checking the
    /// config against the weights' header before building; NaN or ±∞ weights are refused unless <paramref name="allowNonFinite"/>.
    /// </summary>
    public static (Translator Model, TranslationVocabulary Source, TranslationVocabulary Target) Load(string dir, bool allowNonFinite = false)
    {
        dir = Checkpoint.Locate(dir);
        Checkpoint.Preflight(dir, Files);
        var configPath = Checkpoint.Require(dir, Files.Config);
        var config = TranslatorConfig.FromJson(File.ReadAllText(configPath), configPath);
        var model = new Translator(config, seed: 0);
        Checkpoint.LoadParameters(dir, model, Files, allowNonFinite);
        var source = new TranslationVocabulary(Checkpoint.LoadTokenizer(dir));
        var target = config.SharedVocabulary ? source : new TranslationVocabulary(TokenizerFiles.Load(Checkpoint.Require(dir, TargetTokenizerFile)));
        if (source.Size != config.SourceVocab || target.Size != config.TargetVocab)
            throw new InvalidDataException($"{dir}: tokenizers give vocabularies of {source.Size} and {target.Size} (with 3 special ids), the config says {config.SourceVocab} and {config.TargetVocab}.");
        return (model, source, target);
    }
}
