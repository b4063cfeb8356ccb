using Sharpformer.Autograd;
using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer.Tests.Models;

/// <summary>A translator's feed-forward activation, as a GPT's: the nonlinearity removed (identity) or the block (none).</summary>
public sealed class TranslatorActivationTests
{
    private static readonly TranslationVocabulary Vocab = new(CharTokenizer.FromText("abcdef"));

    private static Translator Model(string activation) =>
        new(new TranslatorConfig(1, 1, 2, 8, 16, 10, Vocab.Size, Vocab.Size, Dropout: 0f, Activation: activation), seed: 3);

    private static ActivationRecorder Record(Translator m)
    {
        int[] source = [0, 1, 2], target = [Vocab.Bos, 3];
        var recorder = new ActivationRecorder();
        using var tape = new Tape(recordGradients: false) { Observer = recorder };
        m.Decode(tape, target, 1, target.Length, m.Encode(tape, source, 1, source.Length, [source.Length]));
        return recorder;
    }

    [Fact]
    public void IdentityLeavesTheHiddenLayerAsItIsAndNoneLeavesTheBlockOut()
    {
        var identity = Record(Model("identity"));
        Assert.Equal(identity.Get(N.Decoder, 0, N.MlpHidden).Span.ToArray(), identity.Get(N.Decoder, 0, N.MlpActivation).Span.ToArray());
        var gelu = Record(Model("gelu"));
        Assert.NotEqual(gelu.Get(N.Encoder, 0, N.MlpHidden).Span.ToArray(), gelu.Get(N.Encoder, 0, N.MlpActivation).Span.ToArray());

        var none = Model("none");
        Assert.All(none.Encoder.Concat(none.Decoder), b => Assert.Null(b.Mlp));
        Assert.Equal(none.Config.ParameterCount(), none.ParameterCount());
        // Per block: up (16, 8) + down (8, 16) with biases, and ln2 (8 + 8).
        Assert.Equal(2 * (2 * 8 * 16 + 16 + 8 + 16), Model("gelu").ParameterCount() - none.ParameterCount());
        var recorder = Record(none);
        Assert.Equal(recorder.Get(N.Decoder, 0, N.AfterCross).Span.ToArray(), recorder.Get(N.Decoder, 0, N.Output).Span.ToArray());
        Assert.Throws<ArgumentException>(() => Model("swish"));
    }

    [Fact]
    public void TheActivationTravelsInTheCheckpointAndAnOlderConfigReadsAsGelu()
    {
        var dir = Directory.CreateTempSubdirectory("sharpformer-translator-act-").FullName;
        try
        {
            var m = Model("relu");
            TranslatorCheckpoint.Save(dir, m, Vocab, Vocab);
            Assert.Equal("relu", TranslatorCheckpoint.Load(dir).Model.Config.Activation);
        }
        finally { Directory.Delete(dir, recursive: true); }
        var json = Model("gelu").Config.ToJson().Replace("\"activation\": \"gelu\",", "").Replace(",\n  \"activation\": \"gelu\"", "");
        Assert.DoesNotContain("activation", json);
        Assert.Equal("gelu", TranslatorConfig.FromJson(json, "config.json").Activation);
    }
}
