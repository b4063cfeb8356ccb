using System.Text.Json;
using Sharpformer.Tests.Cli;

namespace Sharpformer.Tests;

/// <summary>
/// <see cref="LanguageModel.Trace"/>, used as a package user would, against what <c>sharpformer explain --json</c>
/// prints for the same model folder and text.
/// </summary>
public sealed class LanguageModelTraceTests : IDisposable
{
    private const string Text = "the cat sat";
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-trace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheTraceHoldsTheNumbersExplainPrints()
    {
        TinyLanguageModel.Instance.Save(_dir);
        var model = LanguageModel.Load(_dir);
        var trace = model.Trace(Text, topTokens: 4);
        var (code, output, error) = ExplainCommandTests.Run("explain", "--model", _dir, "--text", Text, "--top", "4", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var stack = json.RootElement.GetProperty("stacks")[0];

        Assert.Equal(model.Tokenize(Text), trace.Tokens.Select(t => t.Id));
        Assert.Equal(stack.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("text").GetString()), trace.Tokens.Select(t => t.Text));
        var layers = stack.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(layers.Length, trace.Layers.Count);
        int t = trace.Tokens.Count;
        foreach (var (layer, expected) in trace.Layers.Zip(layers))
        {
            TraceAssert.SameHeads(expected.GetProperty("attention")[0], layer.Heads);
            foreach (var head in layer.Heads)
            {
                Assert.Equal((t, t), (head.Weights.Rows, head.Weights.Columns));
                Assert.Equal(float.NegativeInfinity, head.Scores[0, t - 1]);
            }
            // explain lists each position's most active neurons: they are the trace's, and the first is the row's largest.
            var ff = layer.FeedForward!;
            Assert.Equal(t, ff.Rows);
            foreach (var n in expected.GetProperty("neurons").EnumerateArray())
            {
                int position = n.GetProperty("position").GetInt32();
                Assert.Equal(n.GetProperty("activation").GetSingle(), ff[position, n.GetProperty("neuron").GetInt32()]);
            }
            var first = expected.GetProperty("neurons")[0];
            Assert.Equal(ff.Row(0).ToArray().Max(), first.GetProperty("activation").GetSingle());
        }
        var next = json.RootElement.GetProperty("next_tokens").EnumerateArray().ToArray();
        Assert.Equal(next.Select(n => n.GetProperty("id").GetInt32()), trace.NextTokens.Select(n => n.Id));
        Assert.Equal(next.Select(n => (double)n.GetProperty("value").GetSingle()), trace.NextTokens.Select(n => n.Probability));
    }

    [Fact]
    public void BadTextIsRefusedByName()
    {
        var model = TinyLanguageModel.Instance;
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => model.Trace("")).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => model.Trace(string.Concat(Enumerable.Repeat("the cat. ", model.ContextLength)))).ParamName);
        Assert.Throws<ArgumentException>(() => model.Trace("the", topTokens: 0));
    }
}
