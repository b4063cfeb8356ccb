using System.Text.Json;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// Where commands write, through the writers the invocation is given: the result on the output writer, progress
/// on the error writer; `--quiet` leaves the error writer empty and the result whole, `--json` puts one JSON
/// document on the output writer and nothing else. Checked on several commands with tiny settings.
/// </summary>
public sealed class OutputConventionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The output as exactly one JSON object on one line.</summary>
    private static JsonElement OneJsonObject(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line of JSON, got {lines.Length}:\n{output}");
        using var json = JsonDocument.Parse(lines[0]);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        return json.RootElement.Clone();
    }

    private string Corpus()
    {
        var path = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("To be, or not to be, that is the question. ", 60)));
        return path;
    }

    private string[] TrainArgs(string name) =>
        ["train", "--data", Corpus(), "--config", "tiny", "--steps", "4", "--eval-interval", "2", "--eval-batches", "1", "--out", Path.Combine(_dir, name), "--threads", "1"];

    [Fact]
    public void TrainReportsProgressOnTheErrorWriterAndTheResultOnTheOutputWriter()
    {
        var (code, output, error) = Run(TrainArgs("plain"));
        Assert.True(code == 0, error);
        Assert.Contains("model: ", error);
        Assert.Contains("val loss", error);                        // the evaluation lines
        Assert.Contains("the step limit (4) ended training", output);
        Assert.Contains("best validation loss", output);
        Assert.DoesNotContain("val loss", output);
    }

    [Fact]
    public void TrainQuietPrintsOnlyTheResult()
    {
        var (code, output, error) = Run([.. TrainArgs("quiet"), "--quiet"]);
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Contains("best validation loss", output);
    }

    [Fact]
    public void TrainJsonPrintsOneObjectWithTheRunsFigures()
    {
        var (code, output, error) = Run([.. TrainArgs("json"), "--json"]);
        Assert.True(code == 0, error);
        var result = OneJsonObject(output);
        Assert.Equal(4, result.GetProperty("steps").GetInt32());
        Assert.Equal("steps", result.GetProperty("stopped_by").GetString());
        // The best validation loss is the one the run logged: the lowest val_loss of log.jsonl.
        var logged = File.ReadLines(Path.Combine(_dir, "json", "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("val_loss", out _)).Min(e => e.GetProperty("val_loss").GetSingle());
        Assert.Equal(logged, result.GetProperty("best_val_loss").GetSingle());
        Assert.Contains("val loss", error);                        // progress is still reported, on the error writer
    }

    [Fact]
    public void ShapeOptionsOverrideThePresetAndAreCheckedByName()
    {
        var (code, output, error) = Run([.. TrainArgs("shape"), "--layers", "1", "--heads", "2", "--width", "8", "--json"]);
        Assert.True(code == 0, error);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "shape", "last", "config.json"))).RootElement;
        Assert.Equal(1, config.GetProperty("n_layer").GetInt32());
        Assert.Equal(2, config.GetProperty("n_head").GetInt32());
        Assert.Equal(8, config.GetProperty("n_embd").GetInt32());
        Assert.Equal(4, OneJsonObject(output).GetProperty("steps").GetInt32());

        (code, _, error) = Run([.. TrainArgs("bad-shape"), "--heads", "3", "--width", "8"]);
        Assert.Equal(2, code);
        Assert.Equal("error: --width (8) must be a positive multiple of --heads (3).", error.Trim());
    }

    [Fact]
    public void RecallQuietJsonPrintsOneObjectAndNothingElse()
    {
        var (code, output, error) = Run("recall", "--length", "16", "--pairs", "2", "--keys", "4", "--values", "4", "--layers", "1", "--heads", "2",
            "--width", "8", "--steps", "3", "--batch-size", "2", "--eval-sequences", "4", "--threads", "1", "--json", "--quiet");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var result = OneJsonObject(output);
        Assert.Equal(16, result.GetProperty("T").GetInt32());
        Assert.Equal(3, result.GetProperty("steps").GetInt32());
        Assert.Equal(4 * 2, result.GetProperty("answers").GetInt32());   // every pair of every held-out sequence is asked for
    }

    [Fact]
    public void TokenizerTrainAndStatsSpeakJsonAndTrainIsQuietWhenAsked()
    {
        var model = Path.Combine(_dir, "bpe.json");
        var (code, output, error) = Run("tokenizer", "train", "--data", Corpus(), "--vocab-size", "270", "--out", model, "--quiet", "--json");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var trained = OneJsonObject(output);
        Assert.Equal(270, trained.GetProperty("vocab_size").GetInt32());
        Assert.Equal(14, trained.GetProperty("merges").GetInt32());
        Assert.Equal(Path.GetFullPath(model), trained.GetProperty("out").GetString());

        (code, _, error) = Run("tokenizer", "train", "--data", Corpus(), "--vocab-size", "270", "--out", model);
        Assert.Contains($"read {Corpus()}: ", error);               // the progress lines, where --quiet is not given

        (code, output, error) = Run("tokenizer", "stats", "--tokenizer", model, "--input", Corpus(), "--json");
        Assert.True(code == 0, error);
        var stats = OneJsonObject(output);
        Assert.Equal(60 * 10, stats.GetProperty("words").GetInt32());
        Assert.Equal(new FileInfo(Corpus()).Length, stats.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void CorpusBuiltinJsonListsTheFilesItWrote()
    {
        var (code, output, error) = Run("corpus", "builtin", "--out", _dir, "--count", "20", "--held-out", "3", "--json");
        Assert.True(code == 0, error);
        var files = OneJsonObject(output).GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(["train.tsv", "valid.tsv", "test.tsv"], files.Select(f => Path.GetFileName(f.GetProperty("path").GetString())));
        Assert.Equal([20, 3, 3], files.Select(f => f.GetProperty("count").GetInt32()));
        Assert.Equal(20, File.ReadLines(Path.Combine(_dir, "train.tsv")).Count());
    }
}
