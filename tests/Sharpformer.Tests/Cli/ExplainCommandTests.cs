using System.Globalization;
using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Cli;
using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;
using Sharpformer.Tests.Inspection;

namespace Sharpformer.Tests.Cli;

/// <summary>`sharpformer explain`: the numbers it prints are the model's, and W, Y follow from its Q, K, V.</summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-explain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A GPT over the letters a–j with wide weights (peaked attention), 2 layers, 2 heads of size 4.</summary>
    internal static (string Dir, Gpt Model, ITokenizer Tokenizer) SaveGpt(string root, string name = "gpt")
    {
        var dir = Path.Combine(root, name);
        var model = ActivationRecorderTests.WideGpt(layers: 2, heads: 2, channels: 8, blockSize: 8, vocab: 10);
        var tokenizer = CharTokenizer.FromText("abcdefghij");
        GptCheckpoint.Save(dir, model, tokenizer);
        return (dir, model, tokenizer);
    }

    internal static (string Dir, Translator Model, TranslationVocabulary Vocab) SaveTranslator(string root)
    {
        var dir = Path.Combine(root, "translator");
        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdefgh"));
        var model = new Translator(new TranslatorConfig(1, 1, 2, 8, 16, 10, vocab.Size, vocab.Size, Dropout: 0f), seed: 4);
        ActivationRecorderTests.Widen(model, 4);
        TranslatorCheckpoint.Save(dir, model, vocab, vocab);
        return (dir, model, vocab);
    }

    private static Explanation Json(string output) => JsonSerializer.Deserialize<Explanation>(output)!;

    [Fact]
    public void WAndYFollowFromThePrintedQKVAndTheNextTokensAreTheModels()
    {
        var (dir, model, tokenizer) = SaveGpt(_dir);
        var (code, output, error) = Run("explain", "--model", dir, "--text", "abcab", "--json");
        Assert.True(code == 0, error);
        var e = Json(output);
        Assert.Equal("gpt", e.Model);
        var stack = Assert.Single(e.Stacks);
        Assert.Equal([0, 1, 2, 0, 1], stack.Tokens.Select(t => t.Id));
        Assert.Equal(2, stack.Layers.Length);
        foreach (var layer in stack.Layers)
        {
            var self = Assert.Single(layer.Attention);
            Assert.Equal(2, self.Heads.Length);
            foreach (var h in self.Heads) CheckHead(h, causal: true);
        }
        ExpectModelsTopTokens(e.NextTokens, Logits(model, tokenizer.Encode("abcab")));
    }

    [Fact]
    public void ThePrintedTextCarriesTheSameMatricesToThreeDecimals()
    {
        var (dir, _, _) = SaveGpt(_dir);
        var (code, text, error) = Run("explain", "--model", dir, "--text", "jihgf", "--layer", "1", "--head", "0");
        Assert.True(code == 0, error);
        var json = Json(Run("explain", "--model", dir, "--text", "jihgf", "--layer", "1", "--head", "0", "--json").Output);
        var head = Assert.Single(Assert.Single(Assert.Single(json.Stacks).Layers).Attention).Heads.Single();
        var lines = text.Split('\n');
        var q = Printed(lines, "Q (5×4)", 5);
        var k = Printed(lines, "K (5×4)", 5);
        var v = Printed(lines, "V (5×4)", 5);
        var w = Printed(lines, "W = softmax(RW) (5×5)", 5);
        var y = Printed(lines, "Y = W·V (5×4)", 5);
        // W and Y recomputed from the printed (rounded) Q, K and V agree with the printed W and Y.
        var (_, w2, y2) = ReferenceForward.Attend(Flat(q), Flat(k), Flat(v), 1, 5, 5, 4, causal: true);
        ReferenceForward.Near(w2, Flat(w).Select(x => (float)x).ToArray(), 0.02, "W from printed Q, K");
        ReferenceForward.Near(y2, Flat(y).Select(x => (float)x).ToArray(), 0.02, "Y from printed Q, K, V");
        ReferenceForward.Near(head.Q.SelectMany(r => r).Select(x => (double)x).ToArray(), Flat(q).Select(x => (float)x).ToArray(), 6e-4, "printed Q against the JSON");
        Assert.Contains("RW = Q·Kᵀ/√4 (5×5; −∞ where the mask hides a key)", text);
        Assert.Contains("−∞", text);
        Assert.DoesNotContain("layer 0,", text);
        Assert.Contains("next token", text);
    }

    [Fact]
    public void ATranslatorShowsEncoderSelfDecoderSelfAndCrossAttention()
    {
        var (dir, model, vocab) = SaveTranslator(_dir);
        var (code, output, error) = Run("explain", "--model", dir, "--text", "abcd", "--target", "ef", "--json");
        Assert.True(code == 0, error);
        var e = Json(output);
        Assert.Equal(["encoder", "decoder"], e.Stacks.Select(s => s.Name));
        Assert.Equal(["<s>", "e", "f"], e.Stacks[1].Tokens.Select(t => t.Text));
        var encoderSelf = Assert.Single(e.Stacks[0].Layers[0].Attention);
        Assert.False(encoderSelf.Causal);
        foreach (var h in encoderSelf.Heads) CheckHead(h, causal: false);
        var decoder = e.Stacks[1].Layers[0].Attention;
        Assert.Equal(["self", "cross"], decoder.Select(a => a.Kind));
        Assert.Equal(["a", "b", "c", "d"], decoder[1].Keys.Select(k => k.Text));
        foreach (var h in decoder[1].Heads)
        {
            Assert.Equal(4, h.K.Length);
            CheckHead(h, causal: false);
        }
        int[] source = vocab.Encode("abcd"), target = [vocab.Bos, .. vocab.Encode("ef")];
        using var tape = new Tape(recordGradients: false);
        var logits = model.Decode(tape, target, 1, target.Length, model.Encode(tape, source, 1, source.Length, [source.Length]));
        ExpectModelsTopTokens(e.NextTokens, logits.Value.Span[^vocab.Size..].ToArray());
        var text = Run("explain", "--model", dir, "--text", "abcd").Output;
        Assert.Contains("decoder layer 0, cross-attention, head 1", text);
        Assert.Contains("encoder layer 0, self-attention, head 0", text);
    }

    [Fact]
    public void BadInputIsOneLineAndExitTwo()
    {
        var (gpt, _, _) = SaveGpt(_dir);
        var (translator, _, _) = SaveTranslator(_dir);
        var classifier = Path.Combine(_dir, "classifier");
        ClassifierCheckpoint.Save(classifier, new SequenceClassifier(new SequenceClassifierConfig(1, 2, 8, 16, 8, 6, 3), 1), ["a", "b", "c", "d", "e", "f"]);
        Assert.Contains("--text: the text is empty", Bad("explain", "--model", gpt, "--text", ""));
        Assert.Contains("--text: the text is 9 tokens, more than the model's block_size of 8", Bad("explain", "--model", gpt, "--text", "abcdefghi"));
        Assert.Contains("--text: the text is 11 tokens, more than the model's max_length of 10", Bad("explain", "--model", translator, "--text", "abcdefghabc"));
        Assert.Contains("--target: the target prefix", Bad("explain", "--model", translator, "--text", "ab", "--target", "abcdefghab"));
        Assert.Contains("--layer: layer 2 is out of range: the model has 2 layers (0–1)", Bad("explain", "--model", gpt, "--text", "ab", "--layer", "2"));
        Assert.Contains("--head: head -1 is out of range", Bad("explain", "--model", gpt, "--text", "ab", "--head", "-1"));
        Assert.Contains("--top", Bad("explain", "--model", gpt, "--text", "ab", "--top", "0"));
        Assert.Contains("a sequence classifier", Bad("explain", "--model", classifier, "--text", "ab"));
        Assert.Contains("--target: a GPT has no target side", Bad("explain", "--model", gpt, "--text", "ab", "--target", "c"));
        Assert.Contains("no checkpoint there", Bad("explain", "--model", _dir, "--text", "ab"));
    }

    internal static string Bad(params string[] args)
    {
        var (code, _, error) = Run(args);
        var text = error.Trim();
        Assert.True(code == 2, $"exit {code}: {text}");
        Assert.Single(text.Split('\n'));
        return text;
    }

    // W = softmax(Q·Kᵀ/√d) under the mask and Y = W·V, recomputed from the head's own Q, K, V.
    private static void CheckHead(ExplainedHead h, bool causal)
    {
        int tq = h.Q.Length, tk = h.K.Length, d = h.Q[0].Length;
        var (scores, weights, y) = ReferenceForward.Attend(h.Q.SelectMany(r => r).Select(x => (double)x).ToArray(),
            h.K.SelectMany(r => r).Select(x => (double)x).ToArray(), h.V.SelectMany(r => r).Select(x => (double)x).ToArray(), 1, tq, tk, d, causal);
        ReferenceForward.Near(scores, h.Scores.SelectMany(r => r).Select(x => x ?? float.NegativeInfinity).ToArray(), 1e-5, "RW");
        ReferenceForward.Near(weights, h.Weights.SelectMany(r => r).ToArray(), 1e-5, "W");
        ReferenceForward.Near(y, h.Y.SelectMany(r => r).ToArray(), 1e-4, "Y");
    }

    private static float[] Logits(Gpt model, int[] ids)
    {
        using var tape = new Tape(recordGradients: false);
        var logits = model.Forward(tape, ids, 1, ids.Length);
        int v = model.Config.VocabSize;
        return logits.Value.Span.Slice((ids.Length - 1) * v, v).ToArray();
    }

    private static void ExpectModelsTopTokens(RankedToken[] printed, float[] lastLogits)
    {
        double max = lastLogits.Max(), sum = lastLogits.Sum(l => Math.Exp(l - max));
        var expected = Enumerable.Range(0, lastLogits.Length).OrderByDescending(i => lastLogits[i]).Take(printed.Length).ToArray();
        Assert.Equal(expected, printed.Select(t => t.Id));
        foreach (var t in printed) Assert.Equal(Math.Exp(lastLogits[t.Id] - max) / sum, t.Value, 1e-5);
    }

    // The rows of the matrix printed under the line that starts with title: a header line, then one labelled row each.
    private static double[][] Printed(string[] lines, string title, int rows)
    {
        int at = Array.FindIndex(lines, l => l.StartsWith(title, StringComparison.Ordinal));
        Assert.True(at >= 0, $"no '{title}' in the output");
        return lines.Skip(at + 2).Take(rows).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(x => x == "−∞" ? double.NegativeInfinity : double.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToArray();
    }

    private static double[] Flat(double[][] rows) => rows.SelectMany(r => r).ToArray();
}
