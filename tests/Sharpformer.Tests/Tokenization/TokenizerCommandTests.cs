using Sharpformer.Cli;

namespace Sharpformer.Tests.Tokenization;

public sealed class TokenizerCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sharpformer-tokcli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TrainEncodeDecodeRoundTrip()
    {
        var corpus = Write("corpus.txt", Gpt2ParityTests.GenerateProse(new Random(3), false, 3000));
        var model = Path.Combine(_folder, "tok.json");
        var train = Run("tokenizer", "train", "--data", corpus, "--vocab-size", "300", "--special", "<|endoftext|>", "<pad>", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("vocab 300", train.Output);
        Assert.Contains("merges/s", train.Error);

        var text = "Hello there, мир 😀<|endoftext|>\n";
        var encode = Run("tokenizer", "encode", "--tokenizer", model, "--input", Write("in.txt", text));
        Assert.Equal(0, encode.Code);
        var idsLine = encode.Output.TrimEnd('\n', '\r');
        Assert.DoesNotContain('\n', idsLine);
        Assert.Contains(" 298 ", " " + idsLine + " "); // <|endoftext|> is the first special after 256 + 42 merges

        var decode = Run("tokenizer", "decode", "--tokenizer", model, "--input", Write("ids.txt", idsLine));
        Assert.Equal(0, decode.Code);
        Assert.Equal(text, decode.Output);
    }

    [Fact]
    public void ShowMarksBoundariesWithWholeCharacters()
    {
        var show = Run("tokenizer", "encode", "--tokenizer", TestData.Require("gpt2-bpe"), "--show", "--input", Write("in.txt", "Hello, world! 😀"));
        Assert.Equal(0, show.Code);
        Assert.Equal("Hello|,| world|!| 😀", show.Output.TrimEnd());
    }

    [Fact]
    public void EncodeWithGpt2FolderMatchesTheReferenceIds()
    {
        var text = TestData.Require("bpe-reference", "german.txt");
        var expected = File.ReadAllText(TestData.Require("bpe-reference", "german.txt.gpt2ids")).Trim();
        var encode = Run("tokenizer", "encode", "--tokenizer", TestData.Require("gpt2-bpe"), "--input", text);
        Assert.Equal(expected, encode.Output.Trim());
    }

    [Fact]
    public void StatsReportsTokensPerWordAndBytesPerToken()
    {
        var stats = Run("tokenizer", "stats", "--tokenizer", TestData.Require("gpt2-bpe"), "--input", TestData.Require("bpe-reference", "corpus.en"));
        Assert.Equal(0, stats.Code);
        Assert.Contains("tokens per word", stats.Output);
        Assert.Contains("bytes per token", stats.Output);
        Assert.Contains("tokens           30,854", stats.Output); // as many as corpus.en.gpt2ids holds
    }
}
