using System.Text;
using Sharpformer.Cli;
using Sharpformer.Data;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

/// <summary>A translator trained for a few steps on a toy corpus, saved once for the tests that use it.</summary>
public sealed class TinyTranslatorCheckpoint : IDisposable
{
    private static readonly SentencePair[] Pairs =
    [
        new("a cat", "кот"), new("a dog", "пёс"), new("the cat", "этот кот"), new("the dog", "этот пёс"),
        new("big cat", "большой кот"), new("big dog", "большой пёс"), new("small cat", "малый кот"), new("small dog", "малый пёс"),
    ];

    public string Dir { get; } = Directory.CreateTempSubdirectory("sharpformer-translate-model-").FullName;
    internal Translator Model { get; }
    internal TranslationVocabulary Vocab { get; }

    public TinyTranslatorCheckpoint()
    {
        Vocab = new TranslationVocabulary(CharTokenizer.FromText(string.Concat(Pairs.Select(p => p.Source + p.Target))));
        var config = new TranslatorConfig(1, 1, 2, 16, 32, 24, Vocab.Size, Vocab.Size, Dropout: 0f);
        var options = new TranslationTrainingOptions { Steps = 30, BatchTokens = 40, WarmupSteps = 2, EvalInterval = 100, EvalSentences = 4, MaxLr = 3e-3f, Seed = 4 };
        var trainer = new TranslationTrainer(new Translator(config, 4), Vocab, Vocab, Pairs, Pairs[..4], options);
        for (int i = 0; i < 30; i++) trainer.TrainStep();
        Model = trainer.Model;
        TranslatorCheckpoint.Save(Dir, Model, Vocab, Vocab);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>`sharpformer translate` on a small trained translator: order, files, progress and bad input.</summary>
public sealed class TranslateCommandTests(TinyTranslatorCheckpoint checkpoint) : IDisposable, IClassFixture<TinyTranslatorCheckpoint>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-translate-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Sentences = ["the big dog", "a cat", "small cat", "the dog", "big cat", "a small dog"];

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteLines(string name, params string[] lines) => Write(name, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

    private static string[] OutputLines(string text) => text.Split('\n')[..^1];

    [Fact]
    public void EveryLineIsTranslatedInInputOrderAndABlankLineStaysBlank()
    {
        var (dir, model, vocab) = (checkpoint.Dir, checkpoint.Model, checkpoint.Vocab);
        var input = WriteLines("in.txt", [.. Sentences[..3], "", .. Sentences[3..]]);
        // Batches of 2 sentences sorted by length: the output must still follow the input.
        var (code, output, error) = Run("translate", "--model", dir, "--input", input, "--batch-size", "2", "--beam", "2");
        Assert.True(code == 0, error);
        var oneByOne = Sentences.Select(s => TranslationTrainer.Translate(model, vocab, vocab, [s], new BeamSearchOptions(2), batchSize: 1)[0]).ToList();
        Assert.Equal([.. oneByOne[..3], "", .. oneByOne[3..]], OutputLines(output));
        Assert.Contains(oneByOne, line => line.Length > 0);
        Assert.Equal("", error);
    }

    [Fact]
    public void OutputFileHoldsWhatStdoutWouldAndNoTemporaryFileStays()
    {
        var dir = checkpoint.Dir;
        var input = WriteLines("in.txt", Sentences);
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        var outPath = Path.Combine(outDir, "ru.txt");
        File.WriteAllText(outPath, "old contents");
        var (code, output, error) = Run("translate", "--model", dir, "--input", input, "--out", outPath);
        Assert.True(code == 0, error);
        Assert.Equal("", output);
        var (_, stdout, _) = Run("translate", "--model", dir, "--input", input);
        Assert.Equal(stdout.ReplaceLineEndings("\n"), File.ReadAllText(outPath));
        Assert.Equal(Sentences.Length, OutputLines(File.ReadAllText(outPath)).Length);
        Assert.Equal([outPath], Directory.GetFiles(outDir));
    }

    [Fact]
    public void ProgressGoesToStderrWhenAskedAndNeverIntoTheTranslations()
    {
        var dir = checkpoint.Dir;
        var input = WriteLines("in.txt", Sentences);
        var (code, output, error) = Run("translate", "--model", dir, "--input", input, "--batch-size", "2", "--progress");
        Assert.True(code == 0, error);
        Assert.Equal(Sentences.Length, OutputLines(output).Length);
        Assert.DoesNotContain("sentences/s", output);
        Assert.Contains("6/6 sentences", error);
        Assert.Matches(@"translated 6 sentences in [0-9.]+ s \([0-9.]+ sentences/s\)", error);
    }

    [Fact]
    public void TheProgressBarFillsWithTheShareDone()
    {
        Assert.Equal("[##########..........] 50/100 sentences | 10.0 sentences/s | ETA 00:00:05",
            Sharpformer.Cli.Commands.TranslationProgressBar.Line(50, 100, 10));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n\n")]
    public void AnInputWithoutSentencesIsRefusedNamingTheFile(string text)
    {
        var dir = checkpoint.Dir;
        var input = Write("empty.txt", Encoding.UTF8.GetBytes(text));
        var (code, output, error) = Run("translate", "--model", dir, "--input", input);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: --input {input}: no sentences to translate", error);
    }

    [Fact]
    public void AnInputThatIsNotUtf8IsRefusedNamingTheFileAndTheByte()
    {
        var dir = checkpoint.Dir;
        var input = Write("latin1.txt", [.. Encoding.ASCII.GetBytes("a cat\ncaf"), 0xE9, (byte)'\n']);
        var outPath = Path.Combine(_dir, "never.txt");
        var (code, _, error) = Run("translate", "--model", dir, "--input", input, "--out", outPath);
        Assert.Equal(2, code);
        Assert.Contains($"--input {input}", error);
        Assert.Contains("invalid UTF-8 at byte 9", error);
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public void AMissingInputFileIsRefusedNamingIt()
    {
        var dir = checkpoint.Dir;
        var missing = Path.Combine(_dir, "nowhere.txt");
        var (code, _, error) = Run("translate", "--model", dir, "--input", missing);
        Assert.Equal(2, code);
        Assert.Equal($"error: --input {missing}: file not found.", error.Trim());
    }
}
