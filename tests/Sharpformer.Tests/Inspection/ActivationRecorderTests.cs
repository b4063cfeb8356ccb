using Sharpformer.Autograd;
using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Nn;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using static Sharpformer.Tests.Inspection.ReferenceForward;

namespace Sharpformer.Tests.Inspection;

public class ActivationRecorderTests
{
    private const string D = ActivationNames.Decoder;

    /// <summary>A GPT whose weights are drawn wide enough that attention rows are far from uniform.</summary>
    internal static Gpt WideGpt(int layers = 2, int heads = 2, int channels = 8, int blockSize = 8, int vocab = 11, bool bias = true, ulong seed = 3)
    {
        var model = new Gpt(new GptConfig(layers, heads, channels, blockSize, vocab, Bias: bias), seed);
        Widen(model, seed);
        return model;
    }

    internal static void Widen(Module model, ulong seed)
    {
        var rng = new Rng(seed + 100);
        foreach (var (name, p) in model.NamedParameters())
        {
            rng.FillNormal(p.Value.Span, 0.5f);
            if (name.EndsWith("ln1.weight") || name.EndsWith("ln2.weight") || name.EndsWith("ln_f.weight") || name.EndsWith("norm.weight"))
                foreach (ref float w in p.Value.Span) w += 1f;
        }
    }

    [Fact]
    public void EveryProbeOfAGptEqualsTheForwardPassRecomputedFromItsWeights()
    {
        var model = WideGpt();
        int[] ids = [3, 1, 4, 1, 5, 9];
        int t = ids.Length, c = 8, heads = 2;
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder }) model.Forward(tape, ids, 1, t);

        // X = A·E + P: the one-hot rows of A pick rows of E.
        var e = model.TokenEmbedding.Weight.Value;
        var p = model.PositionEmbedding.Weight.Value;
        var x = new double[t * c];
        for (int i = 0; i < t; i++)
        for (int j = 0; j < c; j++) x[i * c + j] = e[ids[i], j] + p[i, j];
        Near(x, recorder.Get(D, ActivationSite.Outside, ActivationNames.Input).Span, 1e-6, "input");
        Near(Enumerable.Range(0, t * c).Select(i => (double)e[ids[i / c], i % c]).ToArray(),
            recorder.Get(D, ActivationSite.Outside, ActivationNames.TokenEmbedding).Span, 0, "token_embedding");

        for (int l = 0; l < model.Blocks.Length; l++)
        {
            var r = Block(model.Blocks[l], x, t, c, heads, causal: true);
            void Check(string name, double[] expected) => Near(expected, recorder.Get(D, l, name).Span, 2e-4, $"layer {l} {name}");
            Check(ActivationNames.Ln1, r.Ln1);
            Check(ActivationNames.Query, r.Q);
            Check(ActivationNames.Key, r.K);
            Check(ActivationNames.Value, r.V);
            Check(ActivationNames.Scores, r.Scores);
            Check(ActivationNames.Weights, r.Weights);
            Check(ActivationNames.HeadOutput, r.Y);
            Check(ActivationNames.Merged, r.Merged);
            Check(ActivationNames.AttentionOut, r.AttentionOut);
            Check(ActivationNames.AfterAttention, r.AfterAttention);
            Check(ActivationNames.Ln2, r.Ln2);
            Check(ActivationNames.MlpHidden, r.Hidden);
            Check(ActivationNames.MlpActivation, r.Activation);
            Check(ActivationNames.MlpOut, r.MlpOut);
            Check(ActivationNames.Output, r.Output);
            x = r.Output;
        }
        var final = LayerNorm(x, t, c, model.FinalNorm);
        Near(final, recorder.Get(D, ActivationSite.Outside, ActivationNames.FinalNorm).Span, 2e-4, "final_norm");
        Near(Linear(final, t, e.Span.ToArray(), null, e.Dim(0)), recorder.Get(D, ActivationSite.Outside, ActivationNames.Logits).Span, 2e-4, "logits");
    }

    [Fact]
    public void AttentionWeightsAreFarFromUniformSoTheCheckAboveCanFail()
    {
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder }) WideGpt().Forward(tape, [3, 1, 4, 1, 5, 9], 1, 6);
        var w = recorder.Head(D, 1, ActivationNames.Weights, head: 0);        // (T, T)
        Assert.True(Enumerable.Range(0, 6).Max(j => w[5, j]) > 0.4f, "the last row is nearly uniform");
        Assert.Equal(0f, w[0, 1]);                                           // causal: the first token sees only itself
    }

    [Fact]
    public void ObservingChangesNoBitOfTheOutputAndTheFastPathReportsNothing()
    {
        var model = WideGpt();
        int[] ids = [2, 7, 1, 8, 2, 8];
        using var plain = new Tape(recordGradients: false);
        var expected = model.Forward(plain, ids, 1, ids.Length).Value.Span.ToArray();
        var recorder = new ActivationRecorder(site => site.Name == ActivationNames.Weights);
        using var observed = new Tape(recordGradients: false) { Observer = recorder };
        Assert.Equal(expected, model.Forward(observed, ids, 1, ids.Length).Value.Span.ToArray());
        Assert.Equal(["decoder.0.attn.weights", "decoder.1.attn.weights"], recorder.Records.Select(r => r.Site.ToString()));
    }

    [Fact]
    public void ObservingAStepThatRecordsGradientsLeavesTheGradientsAsTheyWere()
    {
        var model = WideGpt();
        int[] ids = [2, 7, 1, 8, 2], targets = [7, 1, 8, 2, 8];
        float[] Gradient(IActivationObserver? observer)
        {
            model.ZeroGrad();
            using var tape = new Tape { Observer = observer };
            tape.Backward(model.Loss(tape, ids, targets, 1, ids.Length));
            return model.Blocks[0].Attn.Qkv.Weight.Grad!.Span.ToArray();
        }
        Assert.Equal(Gradient(null), Gradient(new ActivationRecorder()));
    }

    [Fact]
    public void ACachedDecodingStepReportsTheLastRowOfTheWholePass()
    {
        var model = WideGpt();
        int[] ids = [4, 6, 2, 3];
        var whole = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = whole }) model.Forward(tape, ids, 1, ids.Length);
        var cache = model.NewCache(1);
        var stepped = new ActivationRecorder();
        for (int i = 0; i < ids.Length; i++)
        {
            stepped.Clear();
            using var tape = new Tape(recordGradients: false) { Observer = stepped };
            model.Forward(tape, ids.AsSpan(i, 1), 1, 1, cache: cache);
        }
        var last = stepped.Get(D, 1, ActivationNames.Weights);                  // (1, nh, 1, T)
        var all = whole.Get(D, 1, ActivationNames.Weights);                     // (1, nh, T, T)
        Assert.Equal([1, 2, 1, 4], last.Shape);
        for (int h = 0; h < 2; h++)
        for (int j = 0; j < 4; j++) Assert.Equal(all[0, h, 3, j], last[0, h, 0, j], 1e-5f);
    }

    [Fact]
    public void TranslatorCrossAttentionWeightsAreThoseOfItsQueriesAndTheEncoderKeys()
    {
        var vocab = new TranslationVocabulary(new CharTokenizer("abcdefgh".Select(ch => (int)ch)));
        var model = new Translator(new TranslatorConfig(2, 2, 2, 8, 16, 12, vocab.Size, vocab.Size, Dropout: 0f), seed: 5);
        Widen(model, 5);
        int[] source = [0, 1, 2, 3, 4], target = [vocab.Bos, 5, 6];
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder })
            model.Decode(tape, target, 1, target.Length, model.Encode(tape, source, 1, source.Length, [source.Length]));

        // K and V of cross-attention: the encoder output through the layer's kv projection.
        var memory = recorder.Get(ActivationNames.Encoder, ActivationSite.Outside, ActivationNames.FinalNorm).Span.ToArray().Select(f => (double)f).ToArray();
        for (int l = 0; l < 2; l++)
        {
            var kv = Linear(memory, source.Length, model.Decoder[l].Cross!.KeyValue);            // (Ts, 2C)
            var k = Heads(kv, source.Length, 16, 0, 2, 4);
            var v = Heads(kv, source.Length, 16, 8, 2, 4);
            Near(k, recorder.Get(D, l, ActivationNames.CrossKey).Span, 2e-4, $"layer {l} cross.k");
            var q = recorder.Get(D, l, ActivationNames.CrossQuery).Span.ToArray().Select(f => (double)f).ToArray();
            var (scores, weights, y) = Attend(q, k, v, 2, target.Length, source.Length, 4, causal: false);
            Near(scores, recorder.Get(D, l, ActivationNames.CrossScores).Span, 2e-4, $"layer {l} cross.scores");
            Near(weights, recorder.Get(D, l, ActivationNames.CrossWeights).Span, 2e-4, $"layer {l} cross.weights");
            Near(y, recorder.Get(D, l, ActivationNames.CrossHeadOutput).Span, 2e-4, $"layer {l} cross.y");
        }
        Assert.True(recorder.Has(ActivationNames.Encoder, 1, ActivationNames.Weights));
        Assert.Equal([1, 2, source.Length, source.Length], recorder.Get(ActivationNames.Encoder, 1, ActivationNames.Weights).Shape);
    }

    [Fact]
    public void AskingForWhatWasNotRecordedNamesTheSite()
    {
        var recorder = new ActivationRecorder();
        var error = Assert.Throws<ArgumentException>(() => recorder.Get(D, 3, ActivationNames.Query));
        Assert.Contains("decoder.3.attn.q", error.Message);
    }
}
