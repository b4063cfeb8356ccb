using System.Text.Json;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Evaluation;

public sealed class BleuCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-bleu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private (string Hyp, string Ref1, string Ref2) ReadmeFiles() => (
        Write("hyp.txt", "The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."),
        Write("ref1.txt", "The dog bit the man.", "It was not unexpected.", "The man bit him first."),
        Write("ref2.txt", "The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));

    [Fact]
    public void PrintsSacreBleuLines()
    {
        var (hyp, ref1, ref2) = ReadmeFiles();
        var (code, output, _) = Run("bleu", "--input", hyp, "--reference", ref1, "--reference", ref2);
        Assert.Equal(0, code);
        var lines = output.Trim().Split('\n');
        Assert.Equal("BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", lines[0]);
        Assert.Equal("chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no = 59.73", lines[1]);
    }

    [Fact]
    public void JsonIsOneLineWithTheScores()
    {
        var (hyp, ref1, ref2) = ReadmeFiles();
        var (code, output, _) = Run("bleu", "--input", hyp, "--reference", ref1, "--reference", ref2, "--tokenize", "none", "--json");
        Assert.Equal(0, code);
        Assert.Single(output.Trim().Split('\n'));
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(49.1919566, root.GetProperty("bleu").GetDouble(), 1e-6);
        Assert.Equal(59.73, root.GetProperty("chrf").GetDouble(), 0.005);
        Assert.Equal(4, root.GetProperty("precisions").GetArrayLength());
        // Split on spaces: 5 + 3 + 6 hypothesis words; the closest reference lengths are 5, 4 (both are) and 6.
        Assert.Equal(14, root.GetProperty("sys_len").GetInt32());
        Assert.Equal(15, root.GetProperty("ref_len").GetInt32());
        Assert.Equal(Math.Exp(1 - 15.0 / 14), root.GetProperty("bp").GetDouble(), 1e-3);
    }

    [Fact]
    public void MismatchedLineCountsNameTheFilesAndExitTwo()
    {
        var hyp = Write("hyp.txt", "a", "b", "c");
        var reference = Write("ref.txt", "a", "b");
        var (code, _, error) = Run("bleu", "--input", hyp, "--reference", reference);
        Assert.Equal(2, code);
        Assert.Contains(hyp, error);
        Assert.Contains(reference, error);
    }

    [Fact]
    public void UnknownTokenizerExitsTwo()
    {
        var (hyp, ref1, _) = ReadmeFiles();
        var (code, _, error) = Run("bleu", "--input", hyp, "--reference", ref1, "--tokenize", "moses");
        Assert.Equal(2, code);
        Assert.Contains("13a", error);
    }
}
