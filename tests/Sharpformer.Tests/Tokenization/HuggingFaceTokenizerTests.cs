using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

/// <summary>
/// Hugging Face tokenizers' tokenizer.json and the vocab.json + merges.txt pair: GPT-2's vocabulary written in either
/// gives GPT-2's ids (those of OpenAI's files and of Microsoft.ML.Tokenizers), and what tokenizers' format can say
/// but this tokenizer cannot do is refused by name.
/// </summary>
public sealed class HuggingFaceTokenizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-hftok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string MixedText(int seed)
    {
        var random = new Random(seed);
        return Gpt2ParityTests.GenerateProse(random, false, 1500) + "<|endoftext|>" + Gpt2ParityTests.GenerateProse(random, true, 800)
            + TokenizerFixtures.RandomText(random, 1500);
    }

    [Fact]
    public void Gpt2AsTokenizerJsonGivesGpt2sIds()
    {
        var gpt2 = TokenizerFixtures.Gpt2;
        var path = Path.Combine(_dir, "tokenizer.json");
        gpt2.Save(path);
        using (var doc = JsonDocument.Parse(File.ReadAllText(path)))
        {
            var root = doc.RootElement;
            Assert.Equal("BPE", root.GetProperty("model").GetProperty("type").GetString());
            Assert.Equal(50257, root.GetProperty("model").GetProperty("vocab").EnumerateObject().Count());
            // 50,000 from OpenAI's vocab.bpe; read from tiktoken ranks (no ../shared/data) every pair that makes a token is a merge.
            Assert.Equal(gpt2.MergeCount, root.GetProperty("model").GetProperty("merges").GetArrayLength());
            if (TestData.Root is string data && File.Exists(Path.Combine(data, "gpt2-bpe", "encoder.json"))) Assert.Equal(50000, gpt2.MergeCount);
            Assert.Equal("ByteLevel", root.GetProperty("pre_tokenizer").GetProperty("type").GetString());
            Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
            var endOfText = Assert.Single(root.GetProperty("added_tokens").EnumerateArray());
            Assert.Equal(50256, endOfText.GetProperty("id").GetInt32());
            Assert.Equal("<|endoftext|>", endOfText.GetProperty("content").GetString());
        }
        var loaded = BpeTokenizer.Load(path);
        Assert.Equal(SplitPatterns.Gpt2, loaded.Pattern);
        var text = MixedText(1);
        var expected = TokenizerFixtures.Oracle.EncodeToIds(text.Replace("<|endoftext|>", "")).ToArray();
        Assert.Equal(expected, loaded.Encode(text.Replace("<|endoftext|>", "")));
        Assert.Equal(gpt2.Encode(text), loaded.Encode(text));
        Assert.Equal([50256], loaded.Encode("<|endoftext|>"));
    }

    [Fact]
    public void VocabJsonAndMergesTxtAreGpt2sFilesAndGiveMicrosoftMlTokenizersIds()
    {
        var gpt2 = TokenizerFixtures.Gpt2;
        gpt2.SaveVocabAndMerges(_dir);
        var source = TestData.Require("gpt2-bpe");
        Assert.Equal(File.ReadAllLines(Path.Combine(source, "vocab.bpe")).Skip(1).Where(l => l.Length > 0),
            File.ReadAllLines(Path.Combine(_dir, "merges.txt")).Skip(1));
        var theirs = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(source, "encoder.json")))!;
        var ours = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(_dir, "vocab.json")))!;
        Assert.Equal(theirs.OrderBy(kv => kv.Value), ours.OrderBy(kv => kv.Value));

        var text = MixedText(2).Replace("<|endoftext|>", "");
        var expected = TokenizerFixtures.Oracle.EncodeToIds(text).ToArray();
        Assert.Equal(expected, BpeTokenizer.Load(_dir).Encode(text));
        Assert.Equal(expected, BpeTokenizer.Load(Path.Combine(_dir, "merges.txt")).Encode(text));
    }

    [Fact]
    public void MergesAsPairsAndAnotherPatternAreRead()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(400) { SpecialTokens = ["<|endoftext|>"], Pattern = "gpt4" });
        trainer.AddText(Gpt2ParityTests.GenerateProse(new Random(4), false, 2000));
        var tokenizer = trainer.Train();
        var path = Path.Combine(_dir, "tokenizer.json");
        tokenizer.Save(path);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("Sequence", (string?)root["pre_tokenizer"]!["type"]);
        Assert.Equal(SplitPatterns.Gpt4, (string?)root["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"]);
        // tokenizers ≥ 0.20 writes each merge as a pair.
        var merges = root["model"]!["merges"]!.AsArray();
        var pairs = new JsonArray(merges.Select(m => (JsonNode?)new JsonArray(((string)m!).Split(' ').Select(p => (JsonNode?)p).ToArray())).ToArray());
        root["model"]!["merges"] = pairs;
        File.WriteAllText(path, root.ToJsonString());
        var loaded = BpeTokenizer.Load(path);
        Assert.Equal(SplitPatterns.Gpt4, loaded.Pattern);
        var text = MixedText(3);
        Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
    }

    [Theory]
    [InlineData("pre_tokenizer", "{\"type\": \"ByteLevel\", \"add_prefix_space\": true}", "add_prefix_space true is not supported")]
    [InlineData("normalizer", "{\"type\": \"NFC\"}", "a normalizer is not supported")]
    [InlineData("decoder", "{\"type\": \"WordPiece\"}", "decoder type \"WordPiece\" is not supported")]
    [InlineData("pre_tokenizer", "{\"type\": \"Whitespace\"}", "pre_tokenizer \"Whitespace\" is not supported")]
    [InlineData("pre_tokenizer", "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, \"behavior\": 3}, {\"type\": \"ByteLevel\", \"use_regex\": false}]}",
        "the Split pre-tokenizer's behavior must be \"Isolated\"")]
    public void UnsupportedSettingsAreNamed(string key, string value, string expected)
    {
        var path = Path.Combine(_dir, "tokenizer.json");
        new BpeTrainer(new BpeTrainerOptions(270)).Train().Save(path);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        root[key] = JsonNode.Parse(value);
        File.WriteAllText(path, root.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnsupportedModelSettingsAreNamed()
    {
        var path = Path.Combine(_dir, "tokenizer.json");
        new BpeTrainer(new BpeTrainerOptions(270)).Train().Save(path);
        var good = File.ReadAllText(path);
        foreach (var (key, value, expected) in new[]
        {
            ("unk_token", "\"<unk>\"", "model.unk_token"), ("dropout", "0.1", "model.dropout"),
            ("continuing_subword_prefix", "\"##\"", "continuing_subword_prefix \"##\" is not supported"),
            ("type", "\"WordPiece\"", "model.type is \"WordPiece\"; only \"BPE\" is supported"),
            ("type", "7", "model.type is 7; only \"BPE\" is supported"),
        })
        {
            var root = JsonNode.Parse(good)!;
            root["model"]![key] = JsonNode.Parse(value);
            File.WriteAllText(path, root.ToJsonString());
            Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path)).Message);
        }
    }

    [Fact]
    public void TheProjectsEarlierFormatIsStillRead()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(300) { SpecialTokens = ["<|endoftext|>"] });
        trainer.AddText(Gpt2ParityTests.GenerateProse(new Random(6), false, 1000));
        var tokenizer = trainer.Train();
        // The format of docs/tokenizer.md ("format": "sharpformer-bpe"), written out here by hand.
        var vocab = new JsonObject();
        for (int id = 0; id < tokenizer.VocabSize; id++)
            if (!tokenizer.IsSpecial(id)) vocab[ByteAlphabet.Encode(tokenizer.TokenBytes(id))] = id;
        var file = new JsonObject
        {
            ["format"] = "sharpformer-bpe", ["version"] = 1, ["name"] = "old", ["pattern"] = tokenizer.Pattern, ["vocab"] = vocab,
            ["merges"] = new JsonArray(tokenizer.MergesInRankOrder().Select(m => (JsonNode?)(ByteAlphabet.Encode(tokenizer.TokenBytes(m.Left)) + " " + ByteAlphabet.Encode(tokenizer.TokenBytes(m.Right)))).ToArray()),
            ["special_tokens"] = new JsonObject { ["<|endoftext|>"] = tokenizer.SpecialTokens["<|endoftext|>"] },
        };
        var path = Path.Combine(_dir, "old.json");
        File.WriteAllText(path, file.ToJsonString());
        var loaded = BpeTokenizer.Load(path);
        Assert.Equal("old", loaded.Name);
        var text = MixedText(4);
        Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
    }
}
