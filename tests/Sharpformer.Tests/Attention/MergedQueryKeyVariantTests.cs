using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Inspection;
using Sharpformer.Interop.Onnx;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tests.Autograd;
using Sharpformer.Tests.Cli;
using Sharpformer.Tests.Inspection;
using Sharpformer.Tokenization;
using Sharpformer.Training;
using N = Sharpformer.Autograd.ActivationNames;

namespace Sharpformer.Tests.Attention;

/// <summary>
/// Merged query–key attention, scores X·M_h·Xᵀ/√hs with one learned C × C matrix per head: its gradients, its
/// start (the function of the separate W_q, W_k it replaces), cached decoding, checkpoints and explain.
/// </summary>
public sealed class MergedQueryKeyVariantTests : IDisposable
{
    private const int Layers = 2, Heads = 3, C = 9, Hs = 3, Vocab = 11;
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-merged-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Gpt Model(string attention = "merged-qk", ulong seed = 7) =>
        new(new GptConfig(Layers, Heads, C, 7, Vocab, Bias: true, Attention: attention), seed);

    private static Translator TranslatorModel(TranslationVocabulary vocab, string attention = "merged-qk") =>
        new(new TranslatorConfig(1, 1, Heads, C, 16, 10, vocab.Size, vocab.Size, Dropout: 0f, Attention: attention), seed: 5);

    private static readonly int[] Ids = [1, 5, 2, 10, 3];

    private static float[] Logits(Gpt m, int[] ids)
    {
        using var tape = new Tape(recordGradients: false);
        return m.Forward(tape, ids, 1, ids.Length).Value.Span.ToArray();
    }

    private static float[] Logits(Translator m, int[] source, int[] target)
    {
        using var tape = new Tape(recordGradients: false);
        return m.Decode(tape, target, 1, target.Length, m.Encode(tape, source, 1, source.Length, [source.Length])).Value.Span.ToArray();
    }

    [Fact]
    public void RepeatHeadsGradientMatchesFiniteDifferences()
    {
        var x = GradCheck.Param(new Rng(3), "x", 2, 3, 5);   // (B, T, C) -> (B, nh, T, C)
        GradCheck.Check(tape => tape.RepeatHeads(x, 3), [x]);
    }

    [Fact]
    public void MergedQueryKeyGradientsMatchFiniteDifferences()
    {
        var m = Model();
        ActivationRecorderTests.Widen(m, 2);
        var a = m.Blocks[0].Attn;
        // As for parameter-free attention: wide weights curve the loss, so a smaller step and 1 %.
        GradCheck.Check(tape => m.Forward(tape, Ids, 1, Ids.Length),
            [m.TokenEmbedding.Weight, m.Blocks[0].Ln1.Weight, a.QueryKey!.Weight, a.Value!.Weight, a.Value.Bias!, a.Proj.Weight,
                m.Blocks[1].Attn.QueryKey!.Weight], eps: 3e-3, atol: 1e-3, rtol: 1e-2);
    }

    [Fact]
    public void ATranslatorsMergedSelfAndCrossAttentionGradientsMatchFiniteDifferences()
    {
        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdef"));
        var m = TranslatorModel(vocab);
        ActivationRecorderTests.Widen(m, 3);
        int[] source = [0, 1, 2], target = [vocab.Bos, 3, 4];
        var cross = m.Decoder[0].Cross!;
        GradCheck.Check(tape => m.Decode(tape, target, 1, target.Length, m.Encode(tape, source, 1, source.Length, [source.Length])),
            [m.Encoder[0].Attn.QueryKey!.Weight, m.Decoder[0].Attn.QueryKey!.Weight, cross.QueryKey!.Weight, cross.Value!.Weight, m.SourceEmbedding.Weight],
            eps: 3e-3, atol: 1e-3, rtol: 1e-2);
    }

    [Fact]
    public void ItStartsAsTheSeparateProjectionsOfTheSameSeedAndCountsItsParameters()
    {
        Gpt merged = Model(), separate = Model("full");
        ReferenceForward.Near(Logits(separate, Ids).Select(x => (double)x).ToArray(), Logits(merged, Ids), 1e-5, "logits at initialisation");
        Assert.Equal(merged.Config.ParameterCount(), merged.ParameterCount());
        // Per layer: qk (nh·C, C) + v (C, C) + its bias, in place of qkv (3C, C) + its bias; proj alike.
        Assert.Equal(Layers * (Heads * C * C + C * C + C - 3 * C * C - 3 * C), merged.ParameterCount() - separate.ParameterCount());
        Assert.DoesNotContain(merged.NamedParameters(), p => p.Name.Contains("qkv"));

        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdef"));
        Translator mergedT = TranslatorModel(vocab), separateT = TranslatorModel(vocab, "full");
        int[] source = [0, 1, 2, 5], target = [vocab.Bos, 3, 4];
        ReferenceForward.Near(Logits(separateT, source, target).Select(x => (double)x).ToArray(), Logits(mergedT, source, target), 1e-5, "translator logits at initialisation");
        Assert.Equal(mergedT.Config.ParameterCount(), mergedT.ParameterCount());
    }

    [Fact]
    public void ItsQueriesAreXTimesMAndItsKeysAreXItself()
    {
        var m = Model();
        ActivationRecorderTests.Widen(m, 4);
        var recorder = new ActivationRecorder();
        using (var tape = new Tape(recordGradients: false) { Observer = recorder }) m.Forward(tape, Ids, 1, Ids.Length);
        int t = Ids.Length;
        var x = recorder.Get(N.Decoder, 1, N.Ln1);                               // (1, T, C)
        var q = recorder.Get(N.Decoder, 1, N.Query);                             // (1, nh, T, C)
        var k = recorder.Get(N.Decoder, 1, N.Key);                               // (1, nh, T, C)
        var v = recorder.Get(N.Decoder, 1, N.Value);                             // (1, nh, T, hs)
        var weight = m.Blocks[1].Attn.QueryKey!.Weight.Value;                    // (nh·C, C): row h·C + i holds column i of M_h
        Assert.Equal([1, Heads, t, C], q.Shape);
        Assert.Equal([1, Heads, t, Hs], v.Shape);
        var scores = new double[Heads * t * t];
        for (int h = 0; h < Heads; h++)
        for (int i = 0; i < t; i++)
        {
            for (int col = 0; col < C; col++)
            {
                double expected = 0;
                for (int j = 0; j < C; j++) expected += x[0, i, j] * (double)weight[h * C + col, j];
                Assert.Equal(expected, q[0, h, i, col], 1e-4);
                Assert.Equal(x[0, i, col], k[0, h, i, col]);
            }
            for (int j = 0; j < t; j++)
            {
                double dot = 0;
                for (int col = 0; col < C; col++) dot += (double)q[0, h, i, col] * x[0, j, col];
                scores[(h * t + i) * t + j] = j <= i ? dot / Math.Sqrt(Hs) : double.NegativeInfinity;
            }
        }
        ReferenceForward.Near(scores, recorder.Get(N.Decoder, 1, N.Scores).Span, 1e-5, "RW = X·M_h·Xᵀ/√hs");
        // Y = softmax(RW)·V from those scores is the variant's output.
        var y = new double[Heads * t * Hs];
        for (int h = 0; h < Heads; h++)
        for (int i = 0; i < t; i++)
        {
            var row = Enumerable.Range(0, i + 1).Select(j => scores[(h * t + i) * t + j]).ToArray();
            double max = row.Max(), sum = row.Sum(s => Math.Exp(s - max));
            for (int j = 0; j <= i; j++)
            for (int d = 0; d < Hs; d++) y[(h * t + i) * Hs + d] += Math.Exp(row[j] - max) / sum * v[0, h, j, d];
        }
        ReferenceForward.Near(y, recorder.Get(N.Decoder, 1, N.HeadOutput).Span, 1e-4, "Y = W·V");
    }

    [Fact]
    public void CachedDecodingEqualsOnePass()
    {
        var m = Model();
        ActivationRecorderTests.Widen(m, 5);
        var expected = Logits(m, Ids);
        var cache = m.NewCache(1);
        for (int i = 0; i < Ids.Length; i++)
        {
            using var tape = new Tape(recordGradients: false);
            var step = m.Forward(tape, Ids.AsSpan(i, 1), 1, 1, cache: cache).Value.Span;
            for (int v = 0; v < Vocab; v++) Assert.Equal(expected[i * Vocab + v], step[v], 1e-4f);
        }

        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdef"));
        var translator = TranslatorModel(vocab);
        ActivationRecorderTests.Widen(translator, 6);
        int[] source = [0, 1, 2, 5], target = [vocab.Bos, 3, 4, 2];
        var whole = Logits(translator, source, target);
        var decoderCache = translator.NewDecoderCache(1);
        using var memoryTape = new Tape(recordGradients: false);
        var memory = translator.Encode(memoryTape, source, 1, source.Length, [source.Length]);
        for (int i = 0; i < target.Length; i++)
        {
            using var tape = new Tape(recordGradients: false);
            var step = translator.Decode(tape, target.AsSpan(i, 1), 1, 1, memory, cache: decoderCache).Value.Span;
            for (int v = 0; v < vocab.Size; v++) Assert.Equal(whole[i * vocab.Size + v], step[v], 1e-4f);
        }
    }

    [Fact]
    public void ACacheWithCWideKeysKeepsAndReordersThemForBeamSearch()
    {
        var cache = new Sharpformer.Nn.LayerKvCache(batch: 2, heads: 2, capacity: 4, headSize: 2, keyWidth: 3);
        var k = new Tensor(2, 2, 1, 3);   // (B, nh, Tnew, C)
        var v = new Tensor(2, 2, 1, 2);   // (B, nh, Tnew, hs)
        for (int i = 0; i < k.Size; i++) k.Span[i] = i;
        for (int i = 0; i < v.Size; i++) v.Span[i] = 100 + i;
        cache.Append(k, v);
        cache.Append(k, v);
        cache.Reorder([1, 1]);
        using var tape = new Tape(recordGradients: false);
        var (keys, values) = cache.View(tape);
        Assert.Equal([2, 2, 2, 3], keys.Shape);
        Assert.Equal([2, 2, 2, 2], values.Shape);
        for (int b = 0; b < 2; b++)
        for (int h = 0; h < 2; h++)
        for (int t = 0; t < 2; t++)
        {
            for (int c = 0; c < 3; c++) Assert.Equal(k[1, h, 0, c], keys.Value[b, h, t, c]);
            for (int d = 0; d < 2; d++) Assert.Equal(v[1, h, 0, d], values.Value[b, h, t, d]);
        }
        cache.Release();
    }

    [Fact]
    public void CheckpointsRoundTripUnderSharpformersOwnNamesAndOnnxExportRefusesIt()
    {
        var m = Model();
        ActivationRecorderTests.Widen(m, 8);
        var dir = Path.Combine(_dir, "gpt");
        GptCheckpoint.Save(dir, m, CharTokenizer.FromText("abcdefghijk"));
        ModelPreflight.Check(Path.Combine(dir, "config.json"), Path.Combine(dir, "model.safetensors"));
        var names = SafeTensorsHeader.Read(Path.Combine(dir, "model.safetensors")).Entries.Select(e => e.Name).ToArray();
        Assert.Contains("h.1.attn.sharpformer_qk.weight", names);
        Assert.Contains("h.1.attn.sharpformer_v.bias", names);
        Assert.DoesNotContain(names, n => n.Contains("c_attn"));
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
            Assert.Equal("merged-qk", config.RootElement.GetProperty("sharpformer_attention").GetString());
        var (loaded, _) = GptCheckpoint.Load(dir);
        Assert.Equal(Logits(m, Ids), Logits(loaded, Ids));

        var e = Assert.Throws<ArgumentException>(() => GptOnnxExporter.Export(m, null, Path.Combine(_dir, "onnx")));
        Assert.Contains("attention 'merged-qk' computes its scores with one merged C × C matrix per head", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "onnx")));

        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdef"));
        var translator = TranslatorModel(vocab);
        ActivationRecorderTests.Widen(translator, 9);
        var tdir = Path.Combine(_dir, "translator");
        TranslatorCheckpoint.Save(tdir, translator, vocab, vocab);
        var (loadedT, _, _) = TranslatorCheckpoint.Load(tdir);
        int[] source = [0, 1, 2], target = [vocab.Bos, 3];
        Assert.Equal(Logits(translator, source, target), Logits(loadedT, source, target));
    }

    [Fact]
    public void ExplainPrintsQAsXTimesMAndKAsXAndItsWFollowsFromThem()
    {
        var m = Model();
        ActivationRecorderTests.Widen(m, 10);
        var dir = Path.Combine(_dir, "explained");
        GptCheckpoint.Save(dir, m, CharTokenizer.FromText("abcdefghijk"));
        var (code, output, error) = ExplainCommandTests.Run("explain", "--model", dir, "--text", "abcab", "--json");
        Assert.True(code == 0, error);
        var e = JsonSerializer.Deserialize<Explanation>(output)!;
        Assert.Equal("merged-qk", e.Attention);
        foreach (var layer in e.Stacks[0].Layers)
        foreach (var h in layer.Attention[0].Heads)
        {
            Assert.Equal(C, h.Q[0].Length);
            Assert.Equal(C, h.K[0].Length);
            Assert.Equal(Hs, h.V[0].Length);
            // W = softmax(Q·Kᵀ/√hs) under the causal mask, recomputed from the printed Q and K.
            for (int i = 0; i < h.Q.Length; i++)
            {
                var row = Enumerable.Range(0, i + 1).Select(j => h.Q[i].Zip(h.K[j], (a, b) => (double)a * b).Sum() / Math.Sqrt(Hs)).ToArray();
                double max = row.Max(), sum = row.Sum(s => Math.Exp(s - max));
                for (int j = 0; j < h.K.Length; j++)
                    Assert.Equal(j <= i ? Math.Exp(row[j] - max) / sum : 0, h.Weights[i][j], 1e-5);
            }
        }
        // Layer 0's K is the normalised input itself: every head's K is the same matrix.
        var heads = e.Stacks[0].Layers[0].Attention[0].Heads;
        Assert.All(heads, h => Assert.Equal(heads[0].K.SelectMany(r => r), h.K.SelectMany(r => r)));
        var text = ExplainCommandTests.Run("explain", "--model", dir, "--text", "abcab", "--layer", "1", "--head", "2").Output;
        Assert.Contains("head 2, d = 3 ---", text);
        Assert.Contains("Q = X·M_h (5×9)", text);
        Assert.Contains("K (5×9), X itself", text);
        Assert.Contains("RW = Q·Kᵀ/√3 (5×5;", text);
    }
}
