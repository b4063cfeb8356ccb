using System.Text.Json;
using Sharpformer.Cli;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-demo-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void RunsEndToEndAtATinyScaleAndWritesItsOutputs()
    {
        var outDir = Path.Combine(_dir, "run");
        var (code, output, error) = Run("demo", "--out", outDir, "--steps", "3", "--count", "300", "--held-out", "12");
        Assert.True(code == 0, error);
        Assert.Contains("300 training pairs, 12 validation and 12 test pairs", error);
        Assert.Contains("the step limit (3) ended training", error);
        Assert.Contains("Held-out test BLEU (beam 4):", output);
        Assert.Contains("(12 sentences)", output);
        Assert.Contains("Summary: demo model, 3 steps (steps ended training) at", output);
        Assert.True(File.Exists(Path.Combine(outDir, "best", TranslatorCheckpoint.Files.Weights)));
        Assert.True(File.Exists(Path.Combine(outDir, "last", Checkpoint.OptimizerFile)));
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(outDir, "cross-attention.svg")).TrimStart());
        using var last = JsonDocument.Parse(File.ReadLines(Path.Combine(outDir, "log.jsonl")).Last());
        Assert.Equal(3, last.RootElement.GetProperty("step").GetInt32());
        Assert.Equal("steps", last.RootElement.GetProperty("stopped_by").GetString());

        var (model, _, _) = TranslatorCheckpoint.Load(Path.Combine(outDir, "best"));
        Assert.Equal(64, model.Config.Embedding);

        // --steps is a fixed amount of work: the same run again gives the same bits, and (with --json --quiet) the same
        // figures as one JSON object, with nothing on standard error.
        var again = Path.Combine(_dir, "again");
        (code, var json, error) = Run("demo", "--out", again, "--steps", "3", "--count", "300", "--held-out", "12", "--json", "--quiet");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(outDir, "last", TranslatorCheckpoint.Files.Weights)), File.ReadAllBytes(Path.Combine(again, "last", TranslatorCheckpoint.Files.Weights)));
        Assert.Single(json.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var result = JsonDocument.Parse(json).RootElement;
        Assert.Equal(3, result.GetProperty("steps").GetInt32());
        Assert.Equal(12, result.GetProperty("test_sentences").GetInt32());
        Assert.Contains($"Held-out test BLEU (beam 4): {result.GetProperty("test_bleu").GetDouble().ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} ", output);
        Assert.Equal(Path.Combine(again, "cross-attention.svg"), result.GetProperty("heatmap").GetString());
        Assert.NotEmpty(result.GetProperty("showcase").EnumerateArray());
    }

    [Theory]
    [InlineData("--steps", "0")]
    [InlineData("--time-limit", "-5")]
    [InlineData("--config", "huge")]
    public void BadOptionsAreRejectedInOneLine(string option, string value)
    {
        var (code, _, error) = Run("demo", "--out", Path.Combine(_dir, "bad"), option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", error);
        Assert.Contains(option, error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));
    }

    [Fact]
    public void StepsAndTimeLimitExcludeEachOther()
    {
        var (code, _, error) = Run("demo", "--out", Path.Combine(_dir, "both"), "--steps", "5", "--time-limit", "10");
        Assert.Equal(2, code);
        Assert.Contains("exclude each other", error);
    }
}
