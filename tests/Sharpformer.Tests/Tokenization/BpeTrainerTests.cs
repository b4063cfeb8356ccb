using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

public class BpeTrainerTests
{
    [Fact]
    public void ReproducesReferenceMergesAndVocabulary()
    {
        var corpus = TestData.Require("bpe-reference", "corpus.en");
        var expectedMerges = File.ReadAllLines(TestData.Require("bpe-reference", "train-bpe-reference-merges.txt"))
            .Where(l => l.Length > 0).ToArray();
        using var vocabDoc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestData.Require("bpe-reference", "train-bpe-reference-vocab.json")));
        var expectedVocab = vocabDoc.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();

        var tokenizer = BpeTrainer.TrainOnFiles([corpus], new BpeTrainerOptions(500) { SpecialTokens = ["<|endoftext|>"] });

        var merges = tokenizer.MergesInRankOrder()
            .Select(m => ByteAlphabet.Encode(tokenizer.TokenBytes(m.Left)) + " " + ByteAlphabet.Encode(tokenizer.TokenBytes(m.Right)))
            .ToArray();
        Assert.Equal(expectedMerges, merges);
        var vocab = Enumerable.Range(0, tokenizer.VocabSize)
            .Select(id => tokenizer.IsSpecial(id) ? System.Text.Encoding.UTF8.GetString(tokenizer.TokenBytes(id)) : ByteAlphabet.Encode(tokenizer.TokenBytes(id)))
            .ToHashSet();
        Assert.Equal(500, tokenizer.VocabSize);
        Assert.Equal(expectedVocab, vocab);
        Assert.Equal(499, tokenizer.SpecialTokens["<|endoftext|>"]);
    }

    [Fact]
    public void IncrementalTrainingEqualsFullRecountReference()
    {
        var random = new Random(5);
        string[] words = ["low", "lower", "newest", "widest", "aaaa", "abab", "ababab", "zz", "привет", "😀😀"];
        var text = string.Join(" ", Enumerable.Range(0, 400).Select(_ => words[random.Next(words.Length)] + (random.Next(3) == 0 ? "!" : "")));
        var options = new BpeTrainerOptions(256 + 60);
        var trainer = new BpeTrainer(options);
        trainer.AddText(text);
        var tokenizer = trainer.Train();

        var expected = NaiveBpe.Train(Gpt2Pieces(text), 60);
        var actual = tokenizer.MergesInRankOrder().Select(m => (tokenizer.TokenBytes(m.Left).ToArray(), tokenizer.TokenBytes(m.Right).ToArray())).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Left, actual[i].Item1);
            Assert.Equal(expected[i].Right, actual[i].Item2);
        }
    }

    [Fact]
    public void TiesGoToTheLexicographicallyGreaterPair()
    {
        // "ab" and "cd" both occur twice; ("c","d") > ("a","b") as bytes, so it is merged first.
        var trainer = new BpeTrainer(new BpeTrainerOptions(258));
        trainer.AddText("ab cd ab cd");
        var tokenizer = trainer.Train();
        var first = tokenizer.MergesInRankOrder().First();
        Assert.Equal("c", System.Text.Encoding.UTF8.GetString(tokenizer.TokenBytes(first.Left)));
        Assert.Equal("d", System.Text.Encoding.UTF8.GetString(tokenizer.TokenBytes(first.Right)));
    }

    [Fact]
    public void StreamedChunksCountLikeTheWholeText()
    {
        var random = new Random(11);
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => TokenizerFixtures.RandomText(random, 40) + (i % 17 == 0 ? "<|endoftext|>" : "")));
        foreach (var pattern in new[] { SplitPatterns.Gpt2, SplitPatterns.Gpt4 })
        {
            var whole = new WordCounter(PreTokenizer.Create(pattern), ["<|endoftext|>"]);
            whole.Add(text.AsSpan());
            var streamed = new WordCounter(PreTokenizer.Create(pattern), ["<|endoftext|>"]) { ChunkChars = 97 };
            streamed.Add(new StringReader(text));
            Assert.Equal(whole.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal), streamed.Counts.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            Assert.Equal(text.Length, streamed.CharactersRead);
        }
    }

    [Fact]
    public void SpecialTokensAreNeverMergedOrSplit()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(300) { SpecialTokens = ["<pad>", "<|endoftext|>"] });
        trainer.AddText(string.Concat(Enumerable.Repeat("the cat<|endoftext|><pad><pad>", 50)));
        var tokenizer = trainer.Train();
        // The corpus runs out of pairs before 300 ids: the specials still take the last ids.
        int v = tokenizer.VocabSize;
        Assert.True(v < 300);
        Assert.Equal([v - 2, v - 1], tokenizer.SpecialTokens.Values.Order());
        // Special text never reaches the merges: no learned token holds its '<'.
        for (int id = 256; id < v - 2; id++)
            Assert.DoesNotContain((byte)'<', tokenizer.TokenBytes(id).ToArray());
        var ids = tokenizer.Encode("cat<pad><|endoftext|>");
        Assert.Equal([tokenizer.SpecialTokens["<pad>"], tokenizer.SpecialTokens["<|endoftext|>"]], ids[^2..]);
    }

    [Fact]
    public void RejectsAVocabularySmallerThanTheBytes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions(250)));
        Assert.Contains("VocabSize", ex.Message);
    }

    [Fact]
    public void ReportsProgress()
    {
        var reports = new List<BpeTrainingProgress>();
        var trainer = new BpeTrainer(new BpeTrainerOptions(280)) { Progress = new SyncProgress(reports.Add) };
        trainer.AddText(string.Concat(Enumerable.Repeat("hello world, how are you? ", 20)));
        trainer.Train();
        Assert.NotEmpty(reports);
        Assert.Equal(24, reports[^1].TotalMerges);
    }

    private static List<byte[]> Gpt2Pieces(string text) =>
        PreTokenizer.Create("gpt2").Split(text).Select(System.Text.Encoding.UTF8.GetBytes).ToList();

    private sealed class SyncProgress(Action<BpeTrainingProgress> report) : IProgress<BpeTrainingProgress>
    {
        public void Report(BpeTrainingProgress value) => report(value);
    }
}
