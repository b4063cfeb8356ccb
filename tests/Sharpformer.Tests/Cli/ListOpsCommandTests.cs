using System.Text.Json;
using Sharpformer.Cli;
using Sharpformer.Data.ListOps;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

public sealed class ListOpsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-listops-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void GeneratesThreeSplitsAndTrainsOnThem()
    {
        var (code, output, _) = Run("listops", "generate", "--out", _dir, "--seed", "3", "--count", "64", "--held-out", "8");
        Assert.Equal(0, code);
        Assert.Contains("train.tsv: 64 trees", output);
        Assert.Equal(8, ListOpsTsv.Read(Path.Combine(_dir, "test.tsv")).Count);

        var outDir = Path.Combine(_dir, "run");
        (code, output, _) = Run("listops", "train", "--data", _dir, "--steps", "2", "--layers", "1", "--width", "8", "--heads", "2",
            "--batch-size", "8", "--attention", "window:16:1", "--out", outDir, "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output.Trim());
        var root = json.RootElement;
        Assert.Equal("listops", root.GetProperty("task").GetString());
        Assert.Equal("window:16:1", root.GetProperty("attention").GetString());
        Assert.Equal(2, root.GetProperty("steps").GetInt32());
        // The figures are those of the saved model, recomputed here from its files and the split files.
        var (model, _) = ClassifierCheckpoint.Load(Path.Combine(outDir, "model"));
        Assert.Equal(model.ParameterCount(), root.GetProperty("params").GetInt64());
        double Accuracy(string split) => ClassificationTrainer.Accuracy(model, ListOpsTsv.Read(Path.Combine(_dir, split)).Select(e => e.Encode()).ToList());
        Assert.Equal(Math.Round(Accuracy("test.tsv"), 4), root.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(Math.Round(Accuracy("val.tsv"), 4), root.GetProperty("val_accuracy").GetDouble());

        (code, output, _) = Run("listops", "train", "--data", _dir, "--steps", "1", "--layers", "1", "--width", "8", "--heads", "2", "--no-parentheses", "--json");
        Assert.Equal(0, code);
        using var bare = JsonDocument.Parse(output.Trim());
        Assert.False(bare.RootElement.GetProperty("parentheses").GetBoolean());
        Assert.True(bare.RootElement.GetProperty("params").GetInt64() < root.GetProperty("params").GetInt64());   // fewer positions
    }

    [Fact]
    public void AMalformedFileIsOneLineNamingFileAndLine()
    {
        Run("listops", "generate", "--out", _dir, "--count", "5", "--held-out", "2");
        var val = Path.Combine(_dir, "val.tsv");
        File.AppendAllText(val, "( ( ( [MAX 2 ) 9 ) ] )\n");
        var (code, _, error) = Run("listops", "train", "--data", _dir, "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains($"{val}:4:", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void BadOptionsAreNamed()
    {
        var (code, _, error) = Run("listops", "train", "--data", _dir, "--attention", "bogus");
        Assert.Equal(2, code);
        Assert.Contains("--attention", error);
        (code, _, error) = Run("listops", "train", "--data", Path.Combine(_dir, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("missing", error);
        (code, _, _) = Run("listops", "generate", "--out", _dir, "--count", "0");
        Assert.Equal(2, code);
        Assert.Equal(2, Run("listops", "train", "--data", _dir, "--bogus").Code);
    }
}
