using Sharpformer.Data;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Tensors;

/// <summary>
/// Reuse never changes a result: training with buffers recycled — gradients handed back during the backward pass,
/// the best fit of a larger idle buffer, trims between steps — gives the same bits as training where every buffer is
/// new. The recycled run starts from a pool full of NaN, so an op that read a buffer before writing it would show.
/// </summary>
[Collection(nameof(TensorTests))]
public class PoolReuseIdentityTests
{
    private static readonly SentencePair[] Pairs =
    [
        new("a cat", "кот"), new("a dog", "пёс"), new("the cat", "этот кот"), new("the dog", "этот пёс"),
        new("big cat", "большой кот"), new("big dog", "большой пёс"), new("small cat", "малый кот"), new("small dog", "малый пёс"),
        new("the big black cat", "этот большой чёрный кот"), new("a small white dog", "малый белый пёс"),
    ];

    /// <summary>Losses of each step and the final weights of a small translator with dropout, batches of varying shape.</summary>
    private static (float[] Losses, float[] Weights) Train()
    {
        var vocab = new TranslationVocabulary(CharTokenizer.FromText(string.Concat(Pairs.Select(p => p.Source + p.Target))));
        var config = new TranslatorConfig(2, 2, 2, 16, 32, 32, vocab.Size, vocab.Size, Dropout: 0.1f);
        var options = new TranslationTrainingOptions { Steps = 20, BatchTokens = 48, WarmupSteps = 2, EvalInterval = 100, MaxLr = 3e-3f, Seed = 9 };
        var trainer = new TranslationTrainer(new Translator(config, 9), vocab, vocab, Pairs, Pairs[..2], options);
        var losses = Enumerable.Range(0, 2 * TensorPool.StepsPerTrim + 3).Select(_ => trainer.TrainStep().Loss).ToArray();
        return (losses, trainer.Model.Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray());
    }

    [Fact]
    public void TrainingWithRecycledBuffersEqualsTrainingWithNewOnes()
    {
        long limit = TensorPool.MaxPooledBytes;
        try
        {
            TensorPool.Clear();
            TensorPool.MaxPooledBytes = 0; // nothing is kept: every buffer is new
            var fresh = Train();

            TensorPool.MaxPooledBytes = limit;
            TensorPool.Clear();
            var poison = Enumerable.Range(0, 400).Select(i => TensorPool.Rent(1 + (i * 977) % 20_000)).ToList();
            foreach (var t in poison)
            {
                t.Data.AsSpan().Fill(float.NaN);
                TensorPool.Return(t);
            }
            var recycled = Train();

            Assert.Equal(fresh.Losses, recycled.Losses);
            Assert.Equal(fresh.Weights, recycled.Weights);
            Assert.All(fresh.Losses, l => Assert.True(float.IsFinite(l)));
        }
        finally
        {
            TensorPool.MaxPooledBytes = limit;
            TensorPool.Clear();
        }
    }
}
