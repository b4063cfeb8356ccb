using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

public class RoundTripTests
{
    private static readonly Lazy<BpeTokenizer> Small = new(() =>
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(700) { SpecialTokens = ["<|endoftext|>", "<pad>", "<bos>", "<eos>"] });
        var random = new Random(1);
        trainer.AddText(Gpt2ParityTests.GenerateProse(random, false, 3000) + Gpt2ParityTests.GenerateProse(random, true, 3000));
        return trainer.Train();
    });

    public static TheoryData<string> Texts => new()
    {
        "", "a", " ", "Hello, world!", "Привет, мир! Как дела?", "emoji 😀👍🏽🇷🇺 and 👨‍👩‍👧", "日本語のテキスト",
        "tabs\tand\nnewlines\r\n", "   leading and trailing   ", "<|endoftext|>between<pad>specials<eos>", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void KnownTextsRoundTrip(string text)
    {
        Assert.Equal(text, Small.Value.Decode(Small.Value.Encode(text)));
        Assert.Equal(text, TokenizerFixtures.Gpt2.Decode(TokenizerFixtures.Gpt2.Encode(text)));
    }

    [Fact]
    public void RandomUnicodeStringsRoundTrip()
    {
        var random = new Random(42);
        var tokenizer = Small.Value;
        for (int i = 0; i < 2000; i++)
        {
            var text = i % 2 == 0 ? TokenizerFixtures.RandomScalars(random, random.Next(50)) : TokenizerFixtures.RandomText(random, random.Next(120));
            var ids = tokenizer.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
            Assert.Equal(text, tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void LongPiecesUseTheHeapAndMatchTheScan()
    {
        var tokenizer = Small.Value;
        var random = new Random(9);
        foreach (var text in new[] { new string(' ', 5000), new string('a', 3001), string.Concat(Enumerable.Repeat("аб", 700)), TokenizerFixtures.RandomText(random, 4000).Replace(" ", "") })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));

        var merges = new MergeTable(tokenizer.MergesInRankOrder().Select((m, rank) => (m, rank))
            .ToDictionary(x => MergeTable.Key(x.m.Left, x.m.Right), x => new Merge(x.rank, x.m.Result)));
        foreach (int length in new[] { 1, 2, 3, 17, 65, 257 })
            for (int trial = 0; trial < 20; trial++)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(Gpt2ParityTests.GenerateProse(random, trial % 2 == 1, length)).Take(length).ToArray();
                var scan = bytes.Select(b => (int)b).ToArray();
                var heap = (int[])scan.Clone();
                int n1 = merges.ApplyByScan(scan), n2 = merges.ApplyByHeap(heap);
                Assert.Equal(scan[..n1], heap[..n2]);
            }
    }

    [Fact]
    public void PartialMultiByteSequencesDecodeWithoutThrowing()
    {
        var tokenizer = TokenizerFixtures.Gpt2;
        var ids = tokenizer.Encode("😀");
        Assert.Equal(TokenizerFixtures.Oracle.EncodeToIds("😀").ToArray(), ids);
        Assert.True(ids.Length > 1); // the emoji's four bytes are more than one token, so the first decodes to part of it
        var head = tokenizer.Decode(ids.AsSpan(0, 1));
        Assert.Contains('\uFFFD', head);
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes("😀"), tokenizer.DecodeBytes(ids));
    }

    [Fact]
    public void LoneSurrogatesEncodeAsReplacementCharacters()
    {
        // Not valid UTF-16, so not round-trippable: each lone surrogate becomes U+FFFD, and nothing throws.
        var text = "a\uD800b\uDC00c \uD83D";
        Assert.Equal("a\uFFFDb\uFFFDc \uFFFD", Small.Value.Decode(Small.Value.Encode(text)));
    }

    [Fact]
    public void EncodingIsThreadSafeAndEqualToSequential()
    {
        var tokenizer = Small.Value;
        var random = new Random(77);
        var texts = Enumerable.Range(0, 64).Select(_ => TokenizerFixtures.RandomText(random, 400)).ToArray();
        var fresh = BpeTokenizerCopy(tokenizer);
        var parallel = new int[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = fresh.Encode(texts[i]));
        for (int i = 0; i < texts.Length; i++) Assert.Equal(tokenizer.Encode(texts[i]), parallel[i]);
    }

    [Fact]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        var ex = Assert.Throws<ArgumentException>(() => Small.Value.Decode([1, 100_000]));
        Assert.Contains("ids[1]", ex.Message);
    }

    private static BpeTokenizer BpeTokenizerCopy(BpeTokenizer tokenizer)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sharpformer-copy-{Guid.NewGuid():N}.json");
        tokenizer.Save(path);
        try { return BpeTokenizer.Load(path); }
        finally { File.Delete(path); }
    }
}
