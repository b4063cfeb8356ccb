using Sharpformer.Cli;
using Sharpformer.Data;

namespace Sharpformer.Tests.Data;

public sealed class CorpusCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-builtin-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesThreeSplitsThatReadBack()
    {
        var output = new StringWriter();
        int code = CliApp.Run(["corpus", "builtin", "--out", _dir, "--seed", "3", "--count", "800", "--held-out", "50"], output, new StringWriter());
        Assert.Equal(0, code);
        Assert.Equal(800, ParallelCorpus.ReadTsv(Path.Combine(_dir, "train.tsv")).Count);
        Assert.Equal(50, ParallelCorpus.ReadTsv(Path.Combine(_dir, "valid.tsv")).Count);
        Assert.Equal(50, ParallelCorpus.ReadTsv(Path.Combine(_dir, "test.tsv")).Count);
        Assert.Equal(3, Directory.GetFiles(_dir).Length);
        Assert.Contains("train.tsv: 800 pairs", output.ToString());
    }
}
