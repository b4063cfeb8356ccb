using Sharpformer.Data.ListOps;

namespace Sharpformer.Tests.Data.ListOps;

public sealed class ListOpsFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-listops-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void VocabularyKeepsBracketsAndParenthesesAndRoundTrips()
    {
        const string source = "( ( ( [MED 0 ) ( ( ( [SM 9 ) 3 ) ] ) ) ] )";
        var ids = ListOpsVocabulary.Encode(source);
        Assert.Equal(source.Split(' ').Length, ids.Length);
        Assert.Equal(source, ListOpsVocabulary.Decode(ids));
        Assert.Equal(19, ListOpsVocabulary.Size);
        foreach (var token in new[] { "[MAX", "[MIN", "[MED", "[SM", "]", "(", ")", "0", "9" })
            Assert.Equal(token, ListOpsVocabulary.Decode(ListOpsVocabulary.Encode(token)));
        Assert.DoesNotContain(ListOpsVocabulary.Pad, ids);
        Assert.DoesNotContain(ListOpsVocabulary.Cls, ids);
        var example = new ListOpsExample(source, 4).Encode();
        Assert.Equal([ListOpsVocabulary.Cls, .. ids], example.Tokens);
        Assert.Equal("( )", ListOpsVocabulary.Decode([ListOpsVocabulary.OpenParenthesis, ListOpsVocabulary.CloseParenthesis]));
        var bare = new ListOpsExample(source, 4).Encode(parentheses: false);
        Assert.Equal("<cls> [MED 0 [SM 9 3 ] ]", ListOpsVocabulary.Decode(bare.Tokens));
        Assert.Equal(ListOpsTree.Parse(source).Length + 1, bare.Tokens.Length);
    }

    [Theory]
    [InlineData("[MAX 2 [AVG 3 ] ]", "[AVG")]
    [InlineData("[MAX 2 10 ]", "10")]
    [InlineData("<cls> 3", "<cls>")]
    public void UnknownTokensAreNamed(string source, string token)
    {
        var e = Assert.Throws<ArgumentException>(() => ListOpsVocabulary.Encode(source));
        Assert.Contains($"'{token}'", e.Message);
    }

    [Fact]
    public void TsvRoundTripsWithTheLraHeader()
    {
        var examples = ListOpsGenerator.Generate(new ListOpsGeneratorOptions { TrainCount = 20, ValidCount = 0, TestCount = 0 }).Train;
        var path = Path.Combine(_dir, "train.tsv");
        ListOpsTsv.Write(path, examples);
        Assert.Equal("Source\tTarget", File.ReadLines(path).First());
        Assert.Equal(examples, ListOpsTsv.Read(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("( ( ( [MAX 2 ) 9 ) ] )", "expected 'source<TAB>target'")]
    [InlineData("( ( ( [MAX 2 ) 9 ) ] )\t9\textra", "3 tab-separated")]
    [InlineData("( ( ( [MAX 2 ) 9 ) ] )\t12", "digit 0–9")]
    [InlineData("( ( ( [MAX 2 ) x ) ] )\t9", "'x'")]
    public void MalformedLinesNameTheFileAndLine(string badLine, string expected)
    {
        var path = Path.Combine(_dir, "bad.tsv");
        File.WriteAllText(path, "Source\tTarget\n( ( ( [MIN 4 ) 2 ) ] )\t2\n" + badLine + "\n");
        var e = Assert.Throws<InvalidDataException>(() => ListOpsTsv.Read(path));
        Assert.Contains($"{path}:3:", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AMissingHeaderIsAnError()
    {
        var path = Path.Combine(_dir, "noheader.tsv");
        File.WriteAllText(path, "( ( ( [MIN 4 ) 2 ) ] )\t2\n");
        var e = Assert.Throws<InvalidDataException>(() => ListOpsTsv.Read(path));
        Assert.Contains($"{path}:1:", e.Message);
    }

    [Fact]
    public void DatasetReadsItsOwnNamesOrTheLraReleaseNames()
    {
        var splits = ListOpsGenerator.Generate(new ListOpsGeneratorOptions { TrainCount = 12, ValidCount = 3, TestCount = 4 });
        ListOpsDataset.Save(_dir, splits);
        var loaded = ListOpsDataset.Load(_dir);
        Assert.Equal(splits.Test, loaded.Test);
        foreach (var split in ListOpsDataset.SplitNames)
            File.Move(Path.Combine(_dir, split + ".tsv"), Path.Combine(_dir, $"basic_{split}.tsv"));
        Assert.Equal(splits.Valid, ListOpsDataset.Load(_dir).Valid);
        File.Delete(Path.Combine(_dir, "basic_val.tsv"));
        var e = Assert.Throws<FileNotFoundException>(() => ListOpsDataset.Load(_dir));
        Assert.Contains("val.tsv", e.Message);
    }
}
