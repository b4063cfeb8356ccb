using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

/// <summary>Tokenizer files and patterns that would overflow, allocate without bound, hang or load wrong data are refused.</summary>
public sealed class TokenizerInputLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-toklimits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, int> ByteVocab() =>
        Enumerable.Range(0, 256).ToDictionary(b => ByteAlphabet.ToChar((byte)b).ToString(), b => b);

    private string WriteJsonTokenizer(Dictionary<string, int> vocab, Dictionary<string, long> specials, string pattern = "gpt2")
    {
        var path = Path.Combine(_dir, "tok.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["format"] = "sharpformer-bpe", ["version"] = 1, ["name"] = "t", ["pattern"] = pattern,
            ["vocab"] = vocab, ["merges"] = Array.Empty<string>(), ["special_tokens"] = specials,
        }));
        return path;
    }

    [Theory]
    [InlineData(2147483647L)]
    [InlineData(2_000_000_000L)]
    [InlineData(BpeTokenizer.MaxVocabSize)]
    public void SpecialTokenIdsAreBounded(long id)
    {
        var path = WriteJsonTokenizer(ByteVocab(), new() { ["<|endoftext|>"] = id });
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("<|endoftext|>", e.Message);
        Assert.Contains($"below {BpeTokenizer.MaxVocabSize:N0}", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "refused without allocating a table for the id");
        var highest = BpeTokenizer.Load(WriteJsonTokenizer(ByteVocab(), new() { ["<x>"] = BpeTokenizer.MaxVocabSize - 1 }));
        Assert.Equal(BpeTokenizer.MaxVocabSize, highest.VocabSize);
    }

    [Fact]
    public void RegularIdsAndTiktokenSpecialsAreBoundedToo()
    {
        var vocab = ByteVocab();
        vocab["ab"] = 2_000_000_000;
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(WriteJsonTokenizer(vocab, new())));
        Assert.Contains("2000000000", e.Message);
        var tiktoken = Path.Combine(_dir, "bytes.tiktoken");
        File.WriteAllLines(tiktoken, Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}"));
        var special = Assert.Throws<ArgumentException>(() => BpeTokenizer.LoadTiktoken(tiktoken, specialTokens: new Dictionary<string, int> { ["<eos>"] = int.MaxValue }));
        Assert.Contains("<eos>", special.Message);
        Assert.Equal("specialTokens", special.ParamName);
        Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions(int.MaxValue)));
    }

    [Fact]
    public void Gpt2EncoderKeysOutsideTheByteAlphabetAreRefused()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "gpt2")).FullName;
        File.WriteAllText(Path.Combine(folder, "vocab.bpe"), "#version: 0.2\n");
        var encoder = ByteVocab();
        encoder["<|endoftext|>"] = 256;
        File.WriteAllText(Path.Combine(folder, "encoder.json"), JsonSerializer.Serialize(encoder));
        Assert.Equal(256, BpeTokenizer.Load(folder).SpecialTokens["<|endoftext|>"]);

        encoder["Привет"] = 257;
        File.WriteAllText(Path.Combine(folder, "encoder.json"), JsonSerializer.Serialize(encoder));
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(folder));
        Assert.Contains(Path.Combine(folder, "encoder.json"), e.Message);
        Assert.Contains("\"Привет\" (id 257) is not written in the GPT-2 byte alphabet", e.Message);
    }

    [Fact]
    public void ACatastrophicPatternTimesOutNamingThePattern()
    {
        var pre = PreTokenizer.Create("(a+)+$");
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ArgumentException>(() => pre.Split(new string('a', 64) + "b"));
        Assert.Contains("'(a+)+$'", e.Message);
        Assert.Contains("backtracks catastrophically", e.Message);
        Assert.True(clock.Elapsed < PreTokenizer.MatchTimeout * 5, $"took {clock.Elapsed}"); // a hang guard, not a benchmark
        // The same pattern from a tokenizer file fails the same way when it encodes.
        var tokenizer = BpeTokenizer.Load(WriteJsonTokenizer(ByteVocab(), new(), "(a+)+$"));
        Assert.Contains("'(a+)+$'", Assert.Throws<ArgumentException>(() => tokenizer.Encode(new string('a', 64) + "b")).Message);
    }

    [Fact]
    public void TiktokenLinesAreBoundedAndLongTokensParseLinearly()
    {
        var lines = Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}").ToList();
        var path = Path.Combine(_dir, "long.tiktoken");
        var random = new Random(5);
        var longToken = new byte[40_000];
        random.NextBytes(longToken);
        File.WriteAllLines(path, [.. lines, $"{Convert.ToBase64String(longToken)} 256"]);
        var loaded = BpeTokenizer.Load(path);
        Assert.Equal(257, loaded.VocabSize);
        Assert.Equal(longToken, loaded.TokenBytes(256).ToArray());

        File.WriteAllLines(path, [.. lines, $"{Convert.ToBase64String(new byte[60_000])} 256"]);
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains($"{path}:257:", e.Message);
        Assert.Contains($"longer than {TiktokenFormat.MaxLineLength:N0} characters", e.Message);

        var first = Path.Combine(_dir, "first.tiktoken");
        File.WriteAllText(first, new string('Q', 3 << 20));
        Assert.Contains($"{first}:1:", Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(first)).Message);
    }

    /// <summary>Tiktoken's merges (every split of a token into two tokens) match a plain reference on a dense vocabulary.</summary>
    [Fact]
    public void TiktokenMergesMatchThePlainRule()
    {
        var random = new Random(9);
        var tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        var seen = new HashSet<string>(tokens.Select(t => Convert.ToHexString(t)));
        while (tokens.Count < 1500)
        {
            var t = Enumerable.Range(0, random.Next(2, 9)).Select(_ => (byte)"abc"[random.Next(3)]).ToArray();
            if (seen.Add(Convert.ToHexString(t))) tokens.Add(t);
        }
        var path = Path.Combine(_dir, "dense.tiktoken");
        File.WriteAllLines(path, tokens.Select((t, id) => $"{Convert.ToBase64String(t)} {id}"));
        var tokenizer = BpeTokenizer.LoadTiktoken(path, "gpt2", new Dictionary<string, int>());

        var idOf = tokens.Select((t, id) => (Convert.ToHexString(t), id)).ToDictionary(p => p.Item1, p => p.id);
        var expected = new HashSet<(int, int, int)>();
        for (int id = 0; id < tokens.Count; id++)
            for (int k = 1; k < tokens[id].Length; k++)
                if (idOf.TryGetValue(Convert.ToHexString(tokens[id][..k]), out int l) && idOf.TryGetValue(Convert.ToHexString(tokens[id][k..]), out int r))
                    expected.Add((l, r, id));
        Assert.Equal(expected.Count, tokenizer.MergeCount);
        Assert.Equal(expected.OrderBy(m => m), tokenizer.MergesInRankOrder().OrderBy(m => m));
        var text = Encoding.ASCII.GetString(tokens[700]);
        Assert.Equal(Encoding.ASCII.GetBytes(text), tokenizer.DecodeBytes(tokenizer.Encode(text)));
    }
}
