using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests;

/// <summary>The facade's translator against the batched beam search it wraps, on a saved (untrained) model.</summary>
public sealed class TranslationModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-translation-facade-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Translate_GivesWhatBeamSearchGivesForTheSavedModel()
    {
        var vocab = new TranslationVocabulary(new CharTokenizer("abcdef ".Select(c => (int)c)));
        var model = new Translator(new TranslatorConfig(1, 2, 2, 8, 16, 12, vocab.Size, vocab.Size, Dropout: 0f), seed: 11);
        TranslatorCheckpoint.Save(_dir, model, vocab, vocab);
        string[] sentences = ["abc", "fed cab", "a"];
        var expected = TranslationTrainer.Translate(model, vocab, vocab, sentences, new BeamSearchOptions(3, 0.6f));

        var facade = TranslationModel.Load(_dir);
        Assert.Equal(expected, facade.Translate(sentences, beamSize: 3));
        Assert.Equal(expected[1], facade.Translate("fed cab", beamSize: 3));
    }

    [Fact]
    public void Load_OfAFolderWithoutACheckpoint_SaysWhatWasExpected()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => TranslationModel.Load(_dir));
        Assert.Contains($"model folder {_dir}: no checkpoint there", e.Message);
    }
}
