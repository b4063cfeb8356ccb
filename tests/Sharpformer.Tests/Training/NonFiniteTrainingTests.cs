using Sharpformer.Cli;
using Sharpformer.Data;
using Sharpformer.Data.ListOps;
using Sharpformer.Data.Recall;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Training;

/// <summary>
/// Every trainer stops on a NaN or ±∞ loss or gradient, naming the step and the first parameter whose gradient is not
/// finite, before the update; the checkpoints already written stay as they were and load.
/// </summary>
public sealed class NonFiniteTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-nonfinite-").FullName;
    private const string Text = "the quick brown fox jumps over the lazy dog. ";
    private static readonly string Corpus = string.Concat(Enumerable.Repeat(Text, 20));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Weights(Sharpformer.Nn.Module model) => model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();

    [Fact]
    public void TheOptimizerNamesTheFirstParameterWhoseGradientIsNotFiniteAndLeavesTheWeights()
    {
        var model = new Gpt(new GptConfig(1, 2, 16, 8, 10), 1);
        var named = model.NamedParameters().ToList();
        var optimizer = new AdamWOptimizer(named);
        foreach (var (_, p) in named) p.Grad!.Span.Fill(0.01f);
        var (second, third) = (named[2], named[3]);
        second.Parameter.Grad!.Span[7] = float.PositiveInfinity;
        third.Parameter.Grad!.Span[0] = float.NaN;
        var before = Weights(model);
        var e = Assert.Throws<NonFiniteTrainingException>(() => optimizer.ClipAndUpdate(1f, 1e-3f, loss: 2.5f));
        Assert.Equal(1, e.Step);
        Assert.Equal(second.Name, e.Parameter);
        var expected = $"training diverged at step 1: the gradient norm is NaN (loss 2.5); the first parameter with a non-finite gradient is '{second.Name}' " +
            "(its gradient holds Infinity at flat index 7)";
        Assert.True(e.Message.StartsWith(expected, StringComparison.Ordinal), e.Message);
        Assert.Equal(before, Weights(model));
        Assert.Equal(0, optimizer.Step);

        // Finite elements whose squares overflow a float: the norm is ∞, and the parameter is named.
        second.Parameter.Grad!.Span[7] = 1e30f;
        third.Parameter.Grad!.Span[0] = 0f;
        e = Assert.Throws<NonFiniteTrainingException>(() => optimizer.ClipAndUpdate(1f, 1e-3f, loss: 2.5f));
        Assert.Equal(second.Name, e.Parameter);
        Assert.Contains("its gradient's sum of squares overflows a float", e.Message);

        second.Parameter.Grad!.Span[7] = 0.01f;
        e = Assert.Throws<NonFiniteTrainingException>(() => optimizer.ClipAndUpdate(1f, 1e-3f, loss: float.NaN));
        Assert.Contains("the loss is NaN; every gradient is finite", e.Message);
        optimizer.ClipAndUpdate(1f, 1e-3f, loss: 2.5f);
        Assert.Equal(1, optimizer.Step);
    }

    [Fact]
    public void GptTrainingStopsAtTheStepThatWentNaNAndKeepsTheLastCheckpoint()
    {
        var tokenizer = CharTokenizer.FromText(Text);
        var config = new GptConfig(1, 2, 16, 8, tokenizer.VocabSize);
        var options = new GptTrainingOptions { Steps = 10, Batch = 2, WarmupSteps = 1, EvalInterval = 4, EvalBatches = 1, Seed = 3 };
        var trainer = new GptTrainer(new Gpt(config, 3), tokenizer, new TokenBatches(tokenizer.Encode(Corpus), options.TrainFraction, config.BlockSize), options);
        trainer.Run(_dir, untilStep: 3);   // saves last/ at step 3; the next evaluation would be at step 4
        var good = Weights(trainer.Model);
        var (firstName, _) = trainer.Model.NamedParameters().First();
        trainer.Model.NamedParameters().Last().Parameter.Value.Span[0] = float.NaN;   // a weight the forward pass reads

        var e = Assert.Throws<NonFiniteTrainingException>(() => trainer.Run(_dir));
        Assert.Equal(4, e.Step);
        Assert.Equal(firstName, e.Parameter);   // a NaN loss makes every gradient NaN; the first in the model's order is named
        Assert.Contains("training diverged at step 4: the loss is NaN", e.Message);
        Assert.Equal(3, trainer.Step);
        var last = Path.Combine(_dir, "last");
        Assert.Equal(3, CheckpointStates.ReadGpt(last).State.Step);
        Assert.Equal(good, Weights(GptCheckpoint.Load(last).Model));
    }

    [Fact]
    public void TranslationTrainingStopsOnANaNLossAndKeepsTheLastCheckpoint()
    {
        var pairs = new SentencePair[] { new("a cat", "кот"), new("a dog", "пёс"), new("big cat", "большой кот"), new("big dog", "большой пёс") };
        var vocab = new TranslationVocabulary(CharTokenizer.FromText(string.Concat(pairs.Select(p => p.Source + p.Target))));
        var config = new TranslatorConfig(1, 1, 2, 16, 32, 24, vocab.Size, vocab.Size);
        var options = new TranslationTrainingOptions { Steps = 10, BatchTokens = 40, WarmupSteps = 1, EvalInterval = 3, EvalSentences = 2, Seed = 4 };
        var trainer = new TranslationTrainer(new Translator(config, 4), vocab, vocab, pairs, pairs[..2], options);
        trainer.Run(_dir, untilStep: 2);
        var good = Weights(trainer.Model);
        trainer.Model.NamedParameters().Last().Parameter.Value.Span[0] = float.PositiveInfinity;

        var e = Assert.Throws<NonFiniteTrainingException>(() => trainer.Run(_dir));
        Assert.Equal(3, e.Step);
        Assert.NotNull(e.Parameter);
        Assert.Equal(good, Weights(TranslatorCheckpoint.Load(Path.Combine(_dir, "last")).Model));
    }

    [Fact]
    public void ClassificationAndRecallTrainingStopAtTheFirstStep()
    {
        var data = ListOpsGenerator.Generate(new ListOpsGeneratorOptions { MaxDepth = 2, MaxArgs = 3, MinLength = 3, MaxLength = 10, TrainCount = 32, ValidCount = 8, TestCount = 8, Seed = 2 });
        var train = data.Train.Select(x => x.Encode()).ToList();
        var valid = data.Valid.Select(x => x.Encode()).ToList();
        var classifier = new SequenceClassifier(new SequenceClassifierConfig(1, 2, 16, 32, train.Concat(valid).Max(x => x.Tokens.Length), ListOpsVocabulary.Size, 10), 1);
        classifier.NamedParameters().Last().Parameter.Value.Span[0] = float.NaN;
        var classification = new ClassificationTrainer(classifier, ListOpsVocabulary.Tokens, train, valid, new ClassificationTrainingOptions { Steps = 5, BatchSize = 8 });
        var e = Assert.Throws<NonFiniteTrainingException>(() => classification.Run(Path.Combine(_dir, "listops")));
        Assert.Equal(1, e.Step);
        Assert.Equal(classifier.NamedParameters().First().Name, e.Parameter);
        Assert.False(Directory.Exists(Path.Combine(_dir, "listops", "model")));

        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 16, Pairs = 2, Keys = 4, Values = 4 });
        var gpt = new Gpt(new GptConfig(1, 2, 16, task.Length, task.VocabSize), 1);
        gpt.NamedParameters().Last().Parameter.Value.Span[0] = float.NegativeInfinity;
        var recall = new SequenceTaskTrainer(gpt, task, new SequenceTaskTrainingOptions { Steps = 5, Batch = 4, WarmupSteps = 1, EvalSequences = 4 });
        e = Assert.Throws<NonFiniteTrainingException>(() => recall.Run());
        Assert.Equal(1, e.Step);
        Assert.Contains("training diverged at step 1: the loss is NaN", e.Message);
    }

    [Fact]
    public void TheCliRefusesNonFiniteWeightsUnlessAllowed()
    {
        var data = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(data, Corpus);
        var outDir = Path.Combine(_dir, "run");
        var config = Path.Combine(_dir, "tiny.json");
        File.WriteAllText(config, """{"n_layer": 1, "n_head": 2, "n_embd": 16, "block_size": 8, "max_iters": 4, "batch_size": 2, "eval_interval": 2, "eval_iters": 1, "warmup_iters": 1}""");
        Assert.Equal(0, CliApp.Run(["train", "--data", data, "--config", config, "--out", outDir, "--stop-at", "2"], TextWriter.Null, TextWriter.Null));
        var last = Path.Combine(outDir, "last");
        var (model, tokenizer) = GptCheckpoint.Load(last);
        model.FinalNorm.Weight.Value.Span[0] = float.NaN;
        const string name = "ln_f.weight"; // its name in the GPT-2 layout
        var state = File.ReadAllBytes(Path.Combine(last, Checkpoint.StateFile));
        var moments = File.ReadAllBytes(Path.Combine(last, Checkpoint.OptimizerFile));
        UncheckedWeights.SaveGpt(last, model, tokenizer);
        File.WriteAllBytes(Path.Combine(last, Checkpoint.StateFile), state);
        File.WriteAllBytes(Path.Combine(last, Checkpoint.OptimizerFile), moments);

        var error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["generate", "--model", last, "--prompt", "the", "--max-new-tokens", "1"], TextWriter.Null, error));
        Assert.Contains($"tensor '{name}'", error.ToString());
        Assert.Contains("weights must be finite", error.ToString());
        error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["train", "--data", data, "--out", outDir, "--resume"], TextWriter.Null, error));
        Assert.Contains("weights must be finite", error.ToString());
        error = new StringWriter();
        Assert.True(0 == CliApp.Run(["generate", "--model", last, "--prompt", "the", "--max-new-tokens", "1", "--temperature", "0", "--allow-non-finite"], TextWriter.Null, error), error.ToString());
    }

    [Fact]
    public void TheCliEndsADivergedRunWithExitTwoKeepingTheLastCheckpoint()
    {
        var data = Path.Combine(_dir, "corpus.txt");
        File.WriteAllText(data, Corpus);
        var outDir = Path.Combine(_dir, "run");
        var config = Path.Combine(_dir, "tiny.json");
        File.WriteAllText(config, """{"n_layer": 1, "n_head": 2, "n_embd": 16, "block_size": 8, "max_iters": 40, "batch_size": 2, "eval_interval": 1, "eval_iters": 1, "warmup_iters": 0, "learning_rate": 1e38, "min_lr": 1e38}""");
        var error = new StringWriter();
        int code = CliApp.Run(["train", "--data", data, "--config", config, "--out", outDir], TextWriter.Null, error);
        var text = error.ToString();
        Assert.True(code == 2, text);
        var line = text.Split('\n').Single(l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("training diverged ", line);
        var last = Path.Combine(outDir, "last");
        int saved = CheckpointStates.ReadGpt(last).State.Step;
        Assert.True(line.Contains($"at step {saved + 1}: ") || line.Contains($"by step {saved + 1}: "), $"last/ at step {saved}: {line}");
        GptCheckpoint.Load(last);   // finite weights, loadable
    }
}
