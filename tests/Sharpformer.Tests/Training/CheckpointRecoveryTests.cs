using System.Text.Json.Nodes;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

/// <summary>
/// Checkpoint loaders check before they build or resume: config against the weights' header, state.json field by
/// field, optimizer moments against the model; and a save cut between its two renames leaves a folder they still load.
/// </summary>
public sealed class CheckpointRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-ckpt-").FullName;
    private const string Text = "the quick brown fox jumps over the lazy dog. ";
    private static readonly string Corpus = string.Concat(Enumerable.Repeat(Text, 20));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GptTrainer NewTrainer(int steps = 4)
    {
        var tokenizer = CharTokenizer.FromText(Text);
        var config = new GptConfig(1, 2, 16, 8, tokenizer.VocabSize);
        var options = new GptTrainingOptions { Steps = steps, Batch = 2, WarmupSteps = 1, EvalInterval = 2, EvalBatches = 1, Seed = 3 };
        return new GptTrainer(new Gpt(config, 3), tokenizer, new TokenBatches(tokenizer.Encode(Corpus), options.TrainFraction, config.BlockSize), options);
    }

    private string TrainedRun()
    {
        NewTrainer().Run(_dir, untilStep: 2);
        return Path.Combine(_dir, "last");
    }

    private static float[] Weights(Gpt model) => model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    private static InvalidDataException ResumeFails(string last) =>
        Assert.Throws<InvalidDataException>(() => GptTrainer.Resume(last, tok => tok.Encode(Corpus)));

    private static void EditState(string last, Action<JsonObject> edit)
    {
        var path = Path.Combine(last, Checkpoint.StateFile);
        var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(state);
        File.WriteAllText(path, state.ToJsonString());
    }

    [Fact]
    public void EveryLoaderComparesTheConfigWithTheWeightsBeforeBuilding()
    {
        var gpt = Path.Combine(_dir, "gpt");
        GptCheckpoint.Save(gpt, new Gpt(new GptConfig(2, 2, 16, 8, 10), 1), CharTokenizer.FromText("abcdefghij"));
        // Within the limits but 1,000 layers: without the header check the model (~3 M parameters) was built, then the first missing tensor named.
        var config = Path.Combine(gpt, Checkpoint.ConfigFile);
        File.WriteAllText(config, new GptConfig(1000, 2, 16, 8, 10).ToJson());
        var e = Assert.Throws<InvalidDataException>(() => GptCheckpoint.Load(gpt));
        // A GPT-2 folder's header is checked tensor by tensor: the first block the weights lack is named.
        Assert.Contains($"{Path.Combine(gpt, Checkpoint.ModelFile)}: missing tensor 'h.2.ln_1.weight'", e.Message);
        Assert.Contains("implies", e.Message);

        var classifier = Path.Combine(_dir, "classifier");
        var vocabulary = new[] { "a", "b", "c", "d" };
        ClassifierCheckpoint.Save(classifier, new SequenceClassifier(new SequenceClassifierConfig(1, 2, 16, 32, 8, 4, 3), 1), vocabulary);
        File.WriteAllText(Path.Combine(classifier, ClassifierCheckpoint.Files.Config), new SequenceClassifierConfig(1, 2, 16, 32, 8, 4, 5).ToJson());
        e = Assert.Throws<InvalidDataException>(() => ClassifierCheckpoint.Load(classifier));
        Assert.Contains("describes a classifier of", e.Message);

        var translator = Path.Combine(_dir, "translator");
        var vocab = new TranslationVocabulary(CharTokenizer.FromText("abcdef"));
        TranslatorCheckpoint.Save(translator, new Translator(new TranslatorConfig(1, 1, 2, 16, 32, 24, vocab.Size, vocab.Size), 1), vocab, vocab);
        File.WriteAllText(Path.Combine(translator, TranslatorCheckpoint.Files.Config), new TranslatorConfig(1, 2, 2, 16, 32, 24, vocab.Size, vocab.Size).ToJson());
        e = Assert.Throws<InvalidDataException>(() => TranslatorCheckpoint.Load(translator));
        Assert.Contains("describes a translator of", e.Message);
    }

    [Theory]
    [InlineData("Step", "-1", "Step is -1, expected a count of steps ≥ 0")]
    [InlineData("RngState", "null", "RngState")]
    [InlineData("RngState", "[1, 2, 3]", "RngState has 3 words, expected 6")]
    [InlineData("RngState", "[0, 0, 0, 0, 0, 0]", "RngState is all zeros")]
    [InlineData("BestValLoss", "\"NaN\"", "BestValLoss is NaN")]
    [InlineData("OptionsJson", "\"{\\\"batch_size\\\": 0}\"", "OptionsJson is not valid training options (Training options: batch_size must be ≥ 1, got 0)")]
    [InlineData("OptionsJson", "\"[\"", "OptionsJson is not valid training options")]
    [InlineData("Elapsed", "\"-00:00:01\"", "Elapsed is -00:00:01")]
    public void AFaultyStateFieldIsNamedWithTheFile(string field, string json, string expected)
    {
        var last = TrainedRun();
        EditState(last, state => state[field] = JsonNode.Parse(json));
        var e = ResumeFails(last);
        Assert.StartsWith($"{Path.Combine(last, Checkpoint.StateFile)}: ", e.Message);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
    }

    [Theory]
    [InlineData("Step")]
    [InlineData("RngState")]
    [InlineData("OptionsJson")]
    public void AMissingStateFieldIsNamed(string field)
    {
        var last = TrainedRun();
        EditState(last, state => state.Remove(field));
        var e = ResumeFails(last);
        Assert.StartsWith($"{Path.Combine(last, Checkpoint.StateFile)}: malformed JSON", e.Message);
        Assert.Contains($"'{field}'", e.Message);
    }

    [Fact]
    public void OptimizerMomentsMustFitTheModel()
    {
        var last = TrainedRun();
        var path = Path.Combine(last, Checkpoint.OptimizerFile);
        var moments = SafeTensors.Load(path).Tensors;
        var name = moments.Keys.First(k => k.StartsWith("v.", StringComparison.Ordinal));

        void SaveWith(Func<Dictionary<string, Tensor>, IEnumerable<(string, Tensor)>> edit) =>
            SafeTensors.Save(path, edit(new Dictionary<string, Tensor>(moments)));

        SaveWith(d => d.Select(kv => (kv.Key, kv.Key == name ? new Tensor([1, kv.Value.Size]) : kv.Value)));
        Assert.Contains($"{path}: optimizer state '{name}' has shape (1, ", ResumeFails(last).Message);

        SaveWith(d => d.Where(kv => kv.Key != name).Select(kv => (kv.Key, kv.Value)));
        Assert.Contains($"{path}: optimizer state lacks '{name}'", ResumeFails(last).Message);

        SaveWith(d => d.Select(kv => (kv.Key, kv.Value)).Append(("m.extra", new Tensor([2]))));
        Assert.Contains($"{path}: optimizer state holds 'm.extra'", ResumeFails(last).Message);

        var negative = moments[name].Clone();
        negative.Span[0] = -1f;
        SaveWith(d => d.Select(kv => (kv.Key, kv.Key == name ? negative : kv.Value)));
        Assert.Contains($"{path}: optimizer state '{name}' holds -1; second moments are ≥ 0", ResumeFails(last).Message);
    }

    [Fact]
    public void ASaveCutBetweenItsRenamesLeavesTheLastCompleteCheckpoint()
    {
        var last = TrainedRun();
        var (saved, _) = GptCheckpoint.Load(last);
        // What a crash after "X -> X.old" and before "X.partial -> X" leaves: X.old complete, X.partial (here cut short), no X.
        Directory.Move(last, last + Checkpoint.OldSuffix);
        Directory.CreateDirectory(last + Checkpoint.PartialSuffix);
        File.WriteAllText(Path.Combine(last + Checkpoint.PartialSuffix, Checkpoint.ModelFile), "cut");

        var (loaded, _) = GptCheckpoint.Load(last);
        Assert.Equal(Weights(saved), Weights(loaded));
        var resumed = GptTrainer.Resume(last, tok => tok.Encode(Corpus));
        Assert.Equal(2, resumed.Step);

        // The next save puts X.old back before deleting anything, then replaces it; nothing is left beside X.
        resumed.Run(_dir);
        Assert.Equal(4, resumed.Step);
        Assert.False(Directory.Exists(last + Checkpoint.OldSuffix));
        Assert.False(Directory.Exists(last + Checkpoint.PartialSuffix));
        Assert.Equal(4, CheckpointStates.ReadGpt(last).State.Step);
        Assert.Equal(Weights(resumed.Model), Weights(GptCheckpoint.Load(last).Model));
    }

    [Fact]
    public void AModelWithANaNWeightIsNotSavedOverTheOnlyCompleteCopy()
    {
        var last = TrainedRun();
        Directory.Move(last, last + Checkpoint.OldSuffix);
        var trainer = NewTrainer();
        // A model that cannot be saved (a NaN weight) fails the save before it touches the folder.
        trainer.Model.Parameters().First().Value.Span[0] = float.NaN;
        Assert.Throws<NonFiniteTrainingException>(() => GptCheckpoint.Save(last, trainer.Model, trainer.Tokenizer));
        Assert.Equal(2, CheckpointStates.ReadGpt(Checkpoint.Locate(last)).State.Step);
        Assert.Equal(last + Checkpoint.OldSuffix, Checkpoint.Locate(last));
    }

    [Fact]
    public void ALeftoverOldCopyBesideTheCheckpointIsNotRead()
    {
        var last = TrainedRun();
        Directory.CreateDirectory(last + Checkpoint.OldSuffix);   // a deletion cut short
        Assert.Equal(last, Checkpoint.Locate(last));
        Assert.Equal(2, GptTrainer.Resume(last, tok => tok.Encode(Corpus)).Step);
        var e = Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Locate(Path.Combine(_dir, "none")));
        Assert.Contains("checkpoint folder not found", e.Message);
    }
}
