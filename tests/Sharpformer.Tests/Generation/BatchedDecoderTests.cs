using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Generation;

/// <summary>
/// Batched decoding against decoding alone: sequences with prompts of different lengths, joining and leaving between
/// steps, each with its own settings, give exactly the tokens they give alone, greedy and sampled, through a cache
/// that fills and is rebuilt. Untrained weights: their logits are nearly level, so a changed bit shows as a changed token.
/// </summary>
public sealed class BatchedDecoderTests
{
    private static readonly CharTokenizer Chars = new(Enumerable.Range(32, 65));

    // 4C = 72: the MLP's hidden row is not a whole number of vectors, so the GELU's tail falls mid-batch.
    private static Gpt Model(string attention, int embedding = 18) =>
        new(new GptConfig(Layers: 2, Heads: 2, Embedding: embedding, BlockSize: 24, VocabSize: 65, Attention: attention), seed: 11);

    private static readonly string[] Prompts = ["T", "THE CAT", "HELLO THERE, DOG", "A", "SAT ON THE MAT AND THE LOG"];

    private static GenerationSettings Settings(int i, bool greedy) => new()
    {
        MaxNewTokens = 20 + 7 * i,   // some pass the block (24) and rebuild their cache
        Temperature = greedy ? 0f : 0.7f + 0.2f * i,
        TopK = i % 2 == 0 ? null : 5 + i,
        TopP = i == 3 ? 0.8f : null,
        Seed = (ulong)(100 + i),
        StopSequences = i == 4 ? ["ZZ"] : [],
    };

    private static List<GeneratedToken> Alone(Gpt model, string prompt, GenerationSettings settings) =>
        [.. new GptGenerator(model, Chars).Stream(prompt, settings.Generation(), settings.Sampling())];

    [Theory]
    [InlineData("full", true)]
    [InlineData("full", false)]
    [InlineData("flash", false)]
    [InlineData("window:4", true)]
    public void EverySequence_GivesTheTokensItGivesAlone(string attention, bool greedy)
    {
        var model = Model(attention);
        using var decoder = new BatchedDecoder(model, Chars);
        // Sequence i joins at step 3·i; the batch runs until the last one ends.
        var started = new List<(int Index, DecodingSequence Sequence, List<GeneratedToken> Tokens)>();
        for (int step = 0; started.Count < Prompts.Length || started.Any(s => !s.Sequence.Finished); step++)
        {
            if (step % 3 == 0 && started.Count < Prompts.Length)
                started.Add((started.Count, decoder.Start(Prompts[started.Count], Settings(started.Count, greedy)), []));
            var live = started.Where(s => !s.Sequence.Finished).ToList();
            var tokens = decoder.Step([.. live.Select(s => s.Sequence)]);
            for (int i = 0; i < live.Count; i++) live[i].Tokens.Add(tokens[i]);
        }
        foreach (var (index, _, tokens) in started)
            Assert.Equal(Alone(model, Prompts[index], Settings(index, greedy)), tokens);
    }

    [Fact]
    public void RowsOfABatch_HaveTheLogitsOfEachSequenceAlone_BitForBit()
    {
        var model = Model("full", embedding: 32);
        var contexts = new[] { new[] { 5, 9, 2 }, [7], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [40, 41], [3, 3], [60, 1, 2, 9, 9, 9] };
        using var tape = new Tape(recordGradients: false);
        using var rows = new Tape(recordGradients: false) { KeepsRowsApart = true };
        Gpt.KvCache Prefilled(int[] context)
        {
            var cache = model.NewCache(1);
            if (context.Length > 1) model.Forward(tape, context[..^1], 1, context.Length - 1, cache: cache);
            tape.Reset();
            return cache;
        }
        var alone = new float[contexts.Length][];
        for (int i = 0; i < contexts.Length; i++)
        {
            alone[i] = model.ForwardRows(rows, contexts[i][^1..], [Prefilled(contexts[i])]).Value.Span.ToArray();
            rows.Reset();
        }
        var caches = contexts.Select(Prefilled).ToArray();
        var together = model.ForwardRows(rows, contexts.Select(c => c[^1]).ToArray(), caches).Value.Span.ToArray();   // (B, 1, V)
        for (int i = 0; i < contexts.Length; i++)
        for (int j = 0; j < 65; j++)
            Assert.True(BitConverter.SingleToInt32Bits(alone[i][j]) == BitConverter.SingleToInt32Bits(together[i * 65 + j]),
                $"sequence {i}, logit {j}: {together[i * 65 + j]} in the batch, {alone[i][j]} alone.");
        Assert.All(caches.Zip(contexts), pair => Assert.Equal(pair.Second.Length, pair.First.Length));

        // And a batch of one is the model's own forward pass, within rounding.
        for (int i = 0; i < contexts.Length; i++)
        {
            var full = model.Forward(tape, contexts[i], 1, contexts[i].Length).Value.Span[^65..].ToArray();
            tape.Reset();
            for (int j = 0; j < 65; j++) Assert.Equal(full[j], alone[i][j], 1e-5f);
        }
    }
}
