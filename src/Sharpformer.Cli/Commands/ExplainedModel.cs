using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// A GPT or a translator loaded from `--model DIR` for `explain` and `inspect`, which read either: the kind is
/// told by the config (a translator's has encoder_layers), the loading is the checkpoint API's.
/// </summary>
internal sealed class ExplainedModel
{
    private readonly Gpt? _gpt;
    private readonly ITokenizer? _tokenizer;
    private readonly (Translator Model, TranslationVocabulary Source, TranslationVocabulary Target)? _translator;

    /// <summary>The checkpoint folder the model came from.</summary>
    public string Checkpoint { get; }

    private ExplainedModel(string checkpoint, Gpt? gpt, ITokenizer? tokenizer,
        (Translator, TranslationVocabulary, TranslationVocabulary)? translator)
    {
        Checkpoint = checkpoint;
        _gpt = gpt;
        _tokenizer = tokenizer;
        _translator = translator;
    }

    public bool IsTranslator => _translator != null;

    /// <summary>Layers of the stack that predicts tokens: a GPT's blocks, a translator's decoder.</summary>
    public int Layers => _translator is var (model, _, _) ? model.Config.DecoderLayers : _gpt!.Config.Layers;

    /// <summary>Attention heads per layer.</summary>
    public int Heads => _translator is var (model, _, _) ? model.Config.Heads : _gpt!.Config.Heads;

    public static ExplainedModel Load(string dir, string command)
    {
        var checkpoint = ModelDirectory.Resolve(dir);
        // The kind of model is told by its config file's name (a GPT folder is a Hugging Face GPT-2 folder).
        if (File.Exists(Path.Combine(checkpoint, ClassifierCheckpoint.Files.Config)))
            throw new ArgumentException($"--model {dir}: a sequence classifier; `{command}` reads a GPT or a translator.");
        if (File.Exists(Path.Combine(checkpoint, TranslatorCheckpoint.Files.Config)))
        {
            var (model, source, target) = TranslatorCheckpoint.Load(checkpoint);
            return new ExplainedModel(checkpoint, null, null, (model, source, target));
        }
        var (gpt, tokenizer) = GptCheckpoint.Load(checkpoint);
        return new ExplainedModel(checkpoint, gpt, tokenizer, null);
    }

    /// <summary>The walk-through of one pass; messages about the input name the options they come from.</summary>
    public Explanation Explain(string text, string? targetPrefix, ExplainOptions options)
    {
        if (!IsTranslator && targetPrefix != null)
            throw new ArgumentException("--target: a GPT has no target side; give the whole text with --text.");
        try
        {
            if (_translator is var (model, source, target)) return Explainer.Explain(model, source, target, text, targetPrefix, options);
            return Explainer.Explain(_gpt!, _tokenizer!, text, options);
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName switch { "targetPrefix" => "--target", "layer" => "--layer", "head" => "--head", "options" => "--top", _ => "--text" };
            throw new ArgumentException($"{option}: {CliApp.PlainMessage(e)}", e);
        }
    }
}
