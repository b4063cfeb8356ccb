using System.Text.Json;
using Sharpformer.Tests.Cli;

namespace Sharpformer.Tests;

/// <summary>
/// <see cref="TranslationModel.Trace"/>, used as a package user would, on a small trained translator: against what
/// <c>sharpformer explain --json</c> prints for the same folder, source and target, and against the attention it
/// describes: every row of W is softmax(Q·Kᵀ/√hs) under the decoder's causal mask, and Y = W·V.
/// </summary>
public sealed class TranslationModelTraceTests(TinyTranslatorCheckpoint checkpoint) : IClassFixture<TinyTranslatorCheckpoint>
{
    private const string Source = "the big dog", Target = "большой";

    [Fact]
    public void TheTraceHoldsTheNumbersExplainPrints()
    {
        var trace = TranslationModel.Load(checkpoint.Dir).Trace(Source, Target, topTokens: 4);
        var (code, output, error) = ExplainCommandTests.Run("explain", "--model", checkpoint.Dir, "--text", Source, "--target", Target, "--top", "4", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var stacks = json.RootElement.GetProperty("stacks");
        JsonElement encoder = stacks[0], decoder = stacks[1];

        SameTokens(encoder.GetProperty("tokens"), trace.SourceTokens);
        SameTokens(decoder.GetProperty("tokens"), trace.TargetTokens);
        Assert.Equal(Source.Length, trace.SourceTokens.Count);               // a character vocabulary
        Assert.Equal("<s>", trace.TargetTokens[0].Text);
        Assert.Equal(1 + Target.Length, trace.TargetTokens.Count);

        var encoderLayers = encoder.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(encoderLayers.Length, trace.EncoderLayers.Count);
        foreach (var (layer, expected) in trace.EncoderLayers.Zip(encoderLayers))
        {
            TraceAssert.SameHeads(Attention(expected, "self"), layer.Heads);
            SameNeurons(expected, layer.FeedForward!, trace.SourceTokens.Count);
        }
        var decoderLayers = decoder.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(decoderLayers.Length, trace.DecoderLayers.Count);
        foreach (var (layer, expected) in trace.DecoderLayers.Zip(decoderLayers))
        {
            TraceAssert.SameHeads(Attention(expected, "self"), layer.SelfAttention);
            TraceAssert.SameHeads(Attention(expected, "cross"), layer.CrossAttention);
            SameNeurons(expected, layer.FeedForward!, trace.TargetTokens.Count);
        }
        var next = json.RootElement.GetProperty("next_tokens").EnumerateArray().ToArray();
        Assert.Equal(4, trace.NextTokens.Count);
        Assert.Equal(next.Select(n => n.GetProperty("id").GetInt32()), trace.NextTokens.Select(n => n.Id));
        Assert.Equal(next.Select(n => (double)n.GetProperty("value").GetSingle()), trace.NextTokens.Select(n => n.Probability));
    }

    [Fact]
    public void WeightsAndOutputsRecomputeFromQueriesKeysAndValues()
    {
        var trace = TranslationModel.Load(checkpoint.Dir).Trace(Source, Target);
        int s = trace.SourceTokens.Count, t = trace.TargetTokens.Count;
        foreach (var layer in trace.EncoderLayers)
            foreach (var head in layer.Heads) Recomputes(head, s, s, causal: false);
        foreach (var layer in trace.DecoderLayers)
        {
            foreach (var head in layer.SelfAttention) Recomputes(head, t, t, causal: true);
            foreach (var head in layer.CrossAttention) Recomputes(head, t, s, causal: false);
        }
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var model = TranslationModel.Load(checkpoint.Dir);
        string tooLong = string.Concat(Enumerable.Repeat("big dog ", 10));   // 80 characters, the context 24
        Assert.Throws<ArgumentException>(() => model.Trace("", Target));
        Assert.Throws<ArgumentException>(() => model.Trace(tooLong, Target));
        Assert.Throws<ArgumentException>(() => model.Trace(Source, tooLong));
        Assert.Throws<ArgumentException>(() => model.Trace(Source, Target, topTokens: 0));
        Assert.Single(model.Trace(Source, "").TargetTokens);                  // begin-of-sentence alone
    }

    // W (queries × keys) = softmax(Q·Kᵀ/√hs), 0 (and a −∞ score) above the diagonal when causal; Y = W·V.
    private static void Recomputes(HeadTrace head, int queries, int keys, bool causal)
    {
        Assert.Equal((queries, keys), (head.Weights.Rows, head.Weights.Columns));
        Assert.Equal((queries, keys), (head.Scores.Rows, head.Scores.Columns));
        Assert.Equal(keys, head.Key.Rows);
        double scale = 1 / Math.Sqrt(head.Value.Columns);
        for (int i = 0; i < queries; i++)
        {
            int visible = causal ? i + 1 : keys;
            var scores = Enumerable.Range(0, visible).Select(j => Dot(head.Query.Row(i), head.Key.Row(j)) * scale).ToArray();
            double max = scores.Max(), sum = scores.Sum(x => Math.Exp(x - max));
            for (int j = 0; j < keys; j++)
            {
                if (j >= visible)
                {
                    Assert.Equal(float.NegativeInfinity, head.Scores[i, j]);
                    Assert.Equal(0f, head.Weights[i, j]);
                    continue;
                }
                Assert.Equal(scores[j], head.Scores[i, j], 1e-4);
                Assert.Equal(Math.Exp(scores[j] - max) / sum, head.Weights[i, j], 1e-5);
            }
            for (int c = 0; c < head.Value.Columns; c++)
            {
                double y = 0;
                for (int j = 0; j < keys; j++) y += head.Weights[i, j] * (double)head.Value[j, c];
                Assert.Equal(y, head.Output[i, c], 1e-5);
            }
        }
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    private static JsonElement Attention(JsonElement layer, string kind) =>
        layer.GetProperty("attention").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == kind);

    private static void SameTokens(JsonElement tokens, IReadOnlyList<TracedToken> traced)
    {
        Assert.Equal(tokens.EnumerateArray().Select(t => t.GetProperty("id").GetInt32()), traced.Select(t => t.Id));
        Assert.Equal(tokens.EnumerateArray().Select(t => t.GetProperty("text").GetString()), traced.Select(t => t.Text));
    }

    // explain lists each position's most active neurons: they are the trace's, and each is its row's largest.
    private static void SameNeurons(JsonElement layer, ActivationMatrix feedForward, int tokens)
    {
        Assert.Equal(tokens, feedForward.Rows);
        var neurons = layer.GetProperty("neurons").EnumerateArray().ToArray();
        Assert.NotEmpty(neurons);
        foreach (var n in neurons)
            Assert.Equal(n.GetProperty("activation").GetSingle(), feedForward[n.GetProperty("position").GetInt32(), n.GetProperty("neuron").GetInt32()]);
        foreach (var first in neurons.GroupBy(n => n.GetProperty("position").GetInt32()).Select(g => g.First()))
            Assert.Equal(feedForward.Row(first.GetProperty("position").GetInt32()).ToArray().Max(), first.GetProperty("activation").GetSingle());
    }
}
