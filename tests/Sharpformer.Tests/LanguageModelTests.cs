using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Training;

namespace Sharpformer.Tests;

/// <summary>The public facade against the parts it is built from: the same model, the same text.</summary>
public sealed class LanguageModelTests : IDisposable
{
    private static readonly string Text = string.Concat(Enumerable.Repeat("the cat sat on the mat. the dog sat on the log. ", 40));
    private static readonly TrainingSettings Tiny = new() { Preset = "tiny", Steps = 12, EvaluationInterval = 5, Seed = 3 };
    private static readonly GenerationSettings Greedy = new() { MaxNewTokens = 30, Temperature = 0 };
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-facade-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LanguageModel Train(TrainingSettings settings, IProgress<TrainingProgress>? progress = null) =>
        LanguageModel.Train(Text, settings, progress, TestContext.Current.CancellationToken);

    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Events { get; } = [];
        public void Report(TrainingProgress value) => Events.Add(value);
    }

    [Fact]
    public void Train_ReportsEveryStepAndEvaluation_AndSavesWhatLoadReads()
    {
        var progress = new Recorder();
        var model = Train(Tiny, progress);
        var steps = progress.Events.Where(e => e.ValidationLoss == null).Select(e => e.Step).ToArray();
        Assert.Equal(Enumerable.Range(1, 12), steps);
        // Evaluations at steps 0, 5, 10 and at the end.
        Assert.Equal([0, 5, 10, 12], progress.Events.Where(e => e.ValidationLoss != null).Select(e => e.Step));
        Assert.All(progress.Events, e => Assert.Equal(12, e.TotalSteps));

        model.Save(_dir);
        var loaded = LanguageModel.Load(_dir);
        Assert.Equal(model.ParameterCount, loaded.ParameterCount);
        Assert.Equal(model.Generate("the ", Greedy), loaded.Generate("the ", Greedy));
    }

    [Fact]
    public void Generate_GivesWhatTheGeneratorGivesForTheSameCheckpoint()
    {
        Train(Tiny).Save(_dir);
        var settings = new GenerationSettings { MaxNewTokens = 25, Temperature = 0.9f, TopK = 5, TopP = 0.9f, Seed = 7 };
        var (gpt, tokenizer) = GptCheckpoint.Load(_dir);
        var expected = new GptGenerator(gpt, tokenizer).Generate("the d", new GenerationOptions(25), new SamplingOptions(0.9f, 5, 0.9f, 7));
        Assert.Equal(expected, LanguageModel.Load(_dir).Generate("the d", settings));
    }

    [Fact]
    public async Task GenerateAsync_StreamsPiecesThatMakeUpTheText()
    {
        var model = Train(Tiny);
        var pieces = new List<string>();
        await foreach (var piece in model.GenerateAsync("the ", Greedy, TestContext.Current.CancellationToken)) pieces.Add(piece);
        Assert.True(pieces.Count > 1, $"one piece only: '{string.Concat(pieces)}'");
        Assert.DoesNotContain("", pieces);
        Assert.Equal(model.Generate("the ", Greedy), string.Concat(pieces));
    }

    [Fact]
    public async Task GenerateAsync_StopsWhenCancelled()
    {
        var model = Train(Tiny);
        using var cancel = new CancellationTokenSource();
        int received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in model.GenerateAsync("the ", Greedy with { MaxNewTokens = 1000 }, cancel.Token))
                if (++received == 3) cancel.Cancel();
        });
        Assert.Equal(3, received);
    }

    [Fact]
    public void Generate_EndsBeforeAStopSequence()
    {
        var model = Train(Tiny);
        var free = model.Generate("the ", Greedy);
        var stop = free.Substring(4, 2);
        var stopped = model.Generate("the ", Greedy with { StopSequences = [stop] });
        Assert.Equal(free[..free.IndexOf(stop, StringComparison.Ordinal)], stopped);
    }

    [Fact]
    public void Train_StopsWhenCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder();
        var reporter = new ActionProgress(e => { progress.Report(e); if (e.Step == 4) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => LanguageModel.Train(Text, Tiny, reporter, cancel.Token));
        Assert.Equal(4, progress.Events.Max(e => e.Step));
    }

    private sealed class ActionProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Fact]
    public void TokenizeAndDetokenize_RoundTrip_AndBadIdsAreNamed()
    {
        var model = Train(Tiny with { Steps = 1 });
        var ids = model.Tokenize("the mat");
        Assert.Equal(7, ids.Length);   // a character vocabulary
        Assert.All(ids, id => Assert.InRange(id, 0, model.VocabularySize - 1));
        Assert.Equal("the mat", model.Detokenize(ids));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Detokenize([model.VocabularySize]));
        Assert.Contains($"{model.VocabularySize} is not a token id", e.Message);
    }

    [Fact]
    public void TokenizerLoad_ReadsTheFolderAsTheModelDoes_WithoutItsWeights()
    {
        var model = Train(Tiny with { Steps = 1 });
        model.Save(_dir);
        File.Delete(Path.Combine(_dir, "model.safetensors"));   // as in an ONNX export: the tokenizer, no weights
        var tokenizer = Tokenizer.Load(_dir);
        Assert.Equal(model.VocabularySize, tokenizer.VocabularySize);
        Assert.Equal(model.Tokenizer.Name, tokenizer.Name);
        var ids = tokenizer.Encode("the dog sat");
        Assert.Equal(model.Tokenize("the dog sat"), ids);
        Assert.Equal("the dog sat", tokenizer.Decode(ids));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([-1]));
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var e = Assert.Throws<FileNotFoundException>(() => Tokenizer.Load(empty));
        Assert.Contains(empty, e.Message);
    }

    [Fact]
    public void Embed_IsTheMeanOfTheLastHiddenStates()
    {
        Train(Tiny).Save(_dir);
        var model = LanguageModel.Load(_dir);
        var (gpt, tokenizer) = GptCheckpoint.Load(_dir);
        const string text = "the dog sat";
        var ids = tokenizer.Encode(text);
        using var tape = new Tape(recordGradients: false);
        var hidden = gpt.HiddenStates(tape, ids, 1, ids.Length).Value.Span;   // (1, T, C)
        int c = gpt.Config.Embedding;
        var embedding = model.Embed(text);
        Assert.Equal(c, embedding.Length);
        for (int j = 0; j < c; j++)
        {
            double mean = 0;
            for (int t = 0; t < ids.Length; t++) mean += hidden[t * c + j];
            Assert.Equal(mean / ids.Length, embedding[j], 1e-5);
        }
        Assert.NotEqual(embedding, model.Embed("the cat sat"));
    }

    [Fact]
    public void Load_OfAFolderWithoutACheckpoint_SaysWhatWasExpected()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => LanguageModel.Load(_dir));
        Assert.Contains($"model folder {_dir}: no checkpoint there", e.Message);
    }
}
