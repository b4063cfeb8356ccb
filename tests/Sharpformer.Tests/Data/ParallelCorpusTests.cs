using System.Text;
using Sharpformer.Data;

namespace Sharpformer.Tests.Data;

public sealed class ParallelCorpusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void ReadsTsvTrimmingAndSkippingBlankLines()
    {
        var path = Write("a.tsv", "Hello.\tПривет.\r\n\n  Petya hit Vasya. \t Петя ударил Васю. \n");
        var pairs = ParallelCorpus.ReadTsv(path);
        Assert.Equal([new SentencePair("Hello.", "Привет."), new SentencePair("Petya hit Vasya.", "Петя ударил Васю.")], pairs);
    }

    [Fact]
    public void SkipsByteOrderMark()
    {
        var path = Path.Combine(_dir, "bom.tsv");
        File.WriteAllText(path, "a\tб\n", new UTF8Encoding(true));
        Assert.Equal("a", ParallelCorpus.ReadTsv(path)[0].Source);
    }

    [Fact]
    public void LineWithoutTabNamesFileAndLine()
    {
        var path = Write("bad.tsv", "a\tb\nc\td\nno tab here\n");
        var ex = Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadTsv(path));
        Assert.Contains($"{path}:3", ex.Message);
        Assert.Contains("no tab", ex.Message);
    }

    [Theory]
    [InlineData("\tб\n", "source side is empty")]
    [InlineData("a\t  \n", "target side is empty")]
    public void EmptySideNamesFileAndLine(string content, string expected)
    {
        var path = Write("empty.tsv", "x\ty\n" + content);
        var ex = Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadTsv(path));
        Assert.Contains($"{path}:2", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void ExtraColumnsAreIgnoredUnlessForbidden()
    {
        var path = Write("cc.tsv", "Go.\tИди.\tCC-BY 2.0 (France) Attribution: tatoeba.org\n");
        Assert.Equal(new SentencePair("Go.", "Иди."), ParallelCorpus.ReadTsv(path)[0]);
        var ex = Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadTsv(path, allowExtraColumns: false));
        Assert.Contains($"{path}:1", ex.Message);
    }

    [Fact]
    public void InvalidUtf8IsReported()
    {
        var path = Path.Combine(_dir, "latin1.tsv");
        File.WriteAllBytes(path, [(byte)'a', (byte)'\t', 0xE9, (byte)'\n']);
        var ex = Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadTsv(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("UTF-8", ex.Message);
    }

    [Fact]
    public void MissingFileIsReported() =>
        Assert.Throws<FileNotFoundException>(() => ParallelCorpus.ReadTsv(Path.Combine(_dir, "absent.tsv")));

    [Fact]
    public void ReadsAlignedFiles()
    {
        var src = Write("src.txt", "one\ntwo\n");
        var tgt = Write("tgt.txt", "один\nдва\n");
        Assert.Equal([new SentencePair("one", "один"), new SentencePair("two", "два")], ParallelCorpus.ReadAligned(src, tgt));
    }

    [Fact]
    public void AlignedFilesOfDifferentLengthsNameBothFiles()
    {
        var src = Write("src.txt", "one\ntwo\nthree\n");
        var tgt = Write("tgt.txt", "один\nдва\n");
        var ex = Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadAligned(src, tgt));
        Assert.Contains(src, ex.Message);
        Assert.Contains(tgt, ex.Message);
        Assert.Contains("3", ex.Message);
    }

    [Fact]
    public void EmptyAlignedLineNamesFileAndLine()
    {
        var src = Write("src.txt", "one\n\n");
        var tgt = Write("tgt.txt", "один\nдва\n");
        var ex = Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadAligned(src, tgt));
        Assert.Contains($"{src}:2", ex.Message);
    }

    [Fact]
    public void WriteThenReadRoundTripsAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "sub", "out.tsv");
        SentencePair[] pairs = [new("Petya hit Vasya with a shovel.", "Петя ударил Васю лопатой."), new("a", "б")];
        ParallelCorpus.WriteTsv(path, pairs);
        Assert.Equal(pairs, ParallelCorpus.ReadTsv(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void WriteRejectsTabsInsideASentence()
    {
        var path = Path.Combine(_dir, "tab.tsv");
        var ex = Assert.Throws<ArgumentException>(() => ParallelCorpus.WriteTsv(path, [new SentencePair("a\tb", "c")]));
        Assert.Contains("Pair 1", ex.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ReadsTheSharedTatoebaCorpus()
    {
        var train = ParallelCorpus.ReadTsv(TestData.Require("tatoeba-en-ru", "train.tsv"));
        var valid = ParallelCorpus.ReadTsv(TestData.Require("tatoeba-en-ru", "valid.tsv"));
        Assert.Equal(22_929, train.Count);
        Assert.Equal(1_000, valid.Count);
        Assert.All(valid, p => Assert.False(string.IsNullOrWhiteSpace(p.Target)));
    }
}
