using Sharpformer.Autograd;
using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tests.Autograd;
using Sharpformer.Tests.Inspection;
using Sharpformer.Tokenization;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer.Tests.Attention;

/// <summary>
/// The variants of the matrix discussion's claims: parameter-free attention softmax(X·Xᵀ/√hs)·X, picked by name,
/// a feed-forward block without its nonlinearity (activation identity) and blocks without one (activation none).
/// </summary>
public class ParameterFreeAndLinearVariantTests
{
    private static Gpt Model(string attention = "full", string activation = "gelu") =>
        new(new GptConfig(1, 2, 8, 6, 9, Bias: true, Attention: attention, Activation: activation), seed: 7);

    private static readonly int[] Ids = [1, 5, 2, 8, 3];

    private static Variable[] Checked(Gpt m) =>
        [m.TokenEmbedding.Weight, m.Blocks[0].Ln1.Weight, m.Blocks[0].Attn.Proj.Weight, m.Blocks[0].Mlp!.Up.Weight, m.Blocks[0].Mlp!.Down.Weight];

    [Fact]
    public void ParameterFreeAttentionGradientsMatchFiniteDifferences()
    {
        var m = Model(attention: "parameter-free");
        ActivationRecorderTests.Widen(m, 2);
        // Wide weights curve the loss: a smaller step and 1 % keep the difference quotient honest, while a lost
        // share of the gradient (Q, K and V are one tensor here, three uses) would be off by a third or more. With the
        // smaller step the quotient's own rounding (fp32 logits over 2·eps) reaches ~5·10⁻⁴, so near-zero elements get
        // an absolute 10⁻³ (the scalar path's rounding put one at 5.4·10⁻⁴ from the default 5·10⁻⁴).
        GradCheck.Check(tape => m.Forward(tape, Ids, 1, Ids.Length), Checked(m), eps: 3e-3, atol: 1e-3, rtol: 1e-2);
    }

    [Fact]
    public void IdentityActivationGradientsMatchFiniteDifferences()
    {
        var m = Model(activation: "identity");
        ActivationRecorderTests.Widen(m, 3);
        GradCheck.Check(tape => m.Forward(tape, Ids, 1, Ids.Length), [.. Checked(m), m.Blocks[0].Attn.Qkv.Weight]);
    }

    [Fact]
    public void ParameterFreeAttentionUsesTheNormalisedInputAsQueriesKeysAndValuesAndLeavesWqkvUntouched()
    {
        var m = Model(attention: "parameter-free");
        var recorder = new ActivationRecorder();
        m.ZeroGrad();
        using (var tape = new Tape { Observer = recorder })
            tape.Backward(m.Loss(tape, Ids, [5, 2, 8, 3, 1], 1, Ids.Length));
        var ln1 = recorder.Get(N.Decoder, 0, N.Ln1);                             // (1, T, C)
        var q = recorder.Get(N.Decoder, 0, N.Query);                             // (1, nh, T, hs)
        for (int h = 0; h < 2; h++)
        for (int t = 0; t < Ids.Length; t++)
        for (int d = 0; d < 4; d++)
            Assert.Equal(ln1[0, t, h * 4 + d], q[0, h, t, d]);
        Assert.Equal(q.Span.ToArray(), recorder.Get(N.Decoder, 0, N.Key).Span.ToArray());
        Assert.Equal(q.Span.ToArray(), recorder.Get(N.Decoder, 0, N.Value).Span.ToArray());
        Assert.All(m.Blocks[0].Attn.Qkv.Weight.Grad!.Span.ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(m.Blocks[0].Attn.Proj.Weight.Grad!.Span.ToArray(), g => g != 0f);
        Assert.Equal("parameter-free", Sharpformer.Attention.AttentionVariants.Create("parameter-free").Name);
    }

    [Fact]
    public void ParameterFreeAttentionDecodesWithACacheAsInOnePass()
    {
        var m = Model(attention: "parameter-free");
        ActivationRecorderTests.Widen(m, 4);
        using var whole = new Tape(recordGradients: false);
        var expected = m.Forward(whole, Ids, 1, Ids.Length).Value.Span.ToArray();
        var cache = m.NewCache(1);
        for (int i = 0; i < Ids.Length; i++)
        {
            using var tape = new Tape(recordGradients: false);
            var step = m.Forward(tape, Ids.AsSpan(i, 1), 1, 1, cache: cache).Value.Span;
            for (int v = 0; v < 9; v++) Assert.Equal(expected[i * 9 + v], step[v], 1e-4f);
        }
    }

    [Fact]
    public void ATranslatorWithParameterFreeAttentionLooksUpTheEncoderOutputItself()
    {
        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdef"));
        var model = new Translator(new TranslatorConfig(1, 1, 2, 8, 16, 10, vocab.Size, vocab.Size, Dropout: 0f, Attention: "parameter-free"), seed: 3);
        int[] source = [0, 1, 2], target = [vocab.Bos, 3];
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder })
            model.Decode(tape, target, 1, target.Length, model.Encode(tape, source, 1, source.Length, [source.Length]));
        var memory = recorder.Get(N.Encoder, ActivationSite.Outside, N.FinalNorm);  // (1, Ts, C)
        var keys = recorder.Get(N.Decoder, 0, N.CrossKey);                          // (1, nh, Ts, hs)
        for (int h = 0; h < 2; h++)
        for (int s = 0; s < source.Length; s++)
        for (int d = 0; d < 4; d++)
            Assert.Equal(memory[0, s, h * 4 + d], keys[0, h, s, d]);
        var lnCross = recorder.Get(N.Decoder, 0, N.LnCross);
        Assert.Equal(lnCross[0, 1, 5], recorder.Get(N.Decoder, 0, N.CrossQuery)[0, 1, 1, 1]);
    }

    [Fact]
    public void WithoutTheNonlinearityTheFeedForwardBlockIsOneLinearMap()
    {
        var m = Model(activation: "identity");
        ActivationRecorderTests.Widen(m, 5);
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder }) m.Forward(tape, Ids, 1, Ids.Length);
        Assert.Equal(recorder.Get(N.Decoder, 0, N.MlpHidden).Span.ToArray(), recorder.Get(N.Decoder, 0, N.MlpActivation).Span.ToArray());
        // mlp.out = ln2·(W_down·W_up)ᵀ + (W_down·b_up + b_down): one matrix, computed the other way round.
        var mlp = m.Blocks[0].Mlp!;
        var ln2 = recorder.Get(N.Decoder, 0, N.Ln2);
        var output = recorder.Get(N.Decoder, 0, N.MlpOut);
        int c = 8, hidden = 32;
        for (int t = 0; t < Ids.Length; t++)
        for (int o = 0; o < c; o++)
        {
            double y = mlp.Down.Bias!.Value.Span[o];
            for (int j = 0; j < hidden; j++)
            {
                double w = mlp.Down.Weight.Value[o, j];
                y += w * mlp.Up.Bias!.Value.Span[j];
                for (int i = 0; i < c; i++) y += w * mlp.Up.Weight.Value[j, i] * ln2[0, t, i];
            }
            Assert.Equal(y, output[0, t, o], 1e-4);
        }
        Assert.Throws<ArgumentException>(() => GptConfig.ParseActivation("linear"));
    }

    [Fact]
    public void BlocksWithoutAFeedForwardLayerTrainSaveAndLoadWithTheParametersTheConfigCounts()
    {
        var m = Model(activation: "none");
        Assert.All(m.Blocks, b => Assert.Null(b.Mlp));
        Assert.DoesNotContain(m.NamedParameters(), p => p.Name.Contains("mlp") || p.Name.Contains("ln2"));
        Assert.Equal(m.Config.ParameterCount(), m.ParameterCount());
        Assert.Equal(Model().ParameterCount() - (2 * 8 * 32 + 32 + 8) - 2 * 8, m.ParameterCount());   // mlp (with biases) and ln2
        ActivationRecorderTests.Widen(m, 6);
        GradCheck.Check(tape => m.Forward(tape, Ids, 1, Ids.Length),
            [m.TokenEmbedding.Weight, m.Blocks[0].Ln1.Weight, m.Blocks[0].Attn.Qkv.Weight, m.Blocks[0].Attn.Proj.Weight, m.FinalNorm.Weight]);
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder }) m.Forward(tape, Ids, 1, Ids.Length);
        Assert.Equal(recorder.Get(N.Decoder, 0, N.AfterAttention).Span.ToArray(), recorder.Get(N.Decoder, 0, N.Output).Span.ToArray());
        var dir = Directory.CreateTempSubdirectory("sharpformer-noffn-").FullName;
        try
        {
            Sharpformer.Training.GptCheckpoint.Save(dir, m, CharTokenizer.FromText("abcdefghi"));
            ModelPreflight.Check(Path.Combine(dir, "config.json"), Path.Combine(dir, "model.safetensors"));
            var (loaded, _) = Sharpformer.Training.GptCheckpoint.Load(dir);
            Assert.Equal(m.Blocks[0].Attn.Qkv.Weight.Value.Span.ToArray(), loaded.Blocks[0].Attn.Qkv.Weight.Value.Span.ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
