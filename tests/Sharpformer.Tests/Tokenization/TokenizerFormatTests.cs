using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

public sealed class TokenizerFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sharpformer-tok-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static BpeTokenizer TrainSmall(string pattern = "gpt2")
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(400) { SpecialTokens = ["<|endoftext|>", "<pad>"], Pattern = pattern });
        trainer.AddText(Gpt2ParityTests.GenerateProse(new Random(4), false, 2000) + Gpt2ParityTests.GenerateProse(new Random(5), true, 1000));
        return trainer.Train();
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("gpt4")]
    [InlineData(@"\w+|\s+|[^\w\s]+")]
    public void JsonSaveAndLoadKeepsEverything(string pattern)
    {
        var tokenizer = TrainSmall(pattern);
        var path = Path.Combine(_folder, "tok.json");
        tokenizer.Save(path);
        var loaded = BpeTokenizer.Load(path);
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal($"bpe-{tokenizer.VocabSize}", loaded.Name); // tokenizer.json holds no name
        Assert.Equal(tokenizer.Pattern, loaded.Pattern);
        Assert.Equal(tokenizer.SpecialTokens.OrderBy(kv => kv.Key), loaded.SpecialTokens.OrderBy(kv => kv.Key));
        Assert.Equal(tokenizer.MergesInRankOrder(), loaded.MergesInRankOrder());
        var text = TokenizerFixtures.RandomText(new Random(2), 3000) + "<pad>";
        Assert.Equal(tokenizer.Encode(text), loaded.Encode(text));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void Gpt2FilesSaveAsJsonAndTiktokenWithTheSameIds()
    {
        var gpt2 = TokenizerFixtures.Gpt2;
        var json = Path.Combine(_folder, "gpt2.json");
        gpt2.Save(json);
        var tiktoken = Path.Combine(_folder, "gpt2.tiktoken");
        TiktokenFormat.Save(gpt2, tiktoken);
        var text = File.ReadAllText(TestData.Require("bpe-reference", "tinystories_sample.txt"));
        var expected = gpt2.Encode(text);
        Assert.Equal(expected, BpeTokenizer.Load(json).Encode(text));
        Assert.Equal(expected, BpeTokenizer.Load(tiktoken).Encode(text));
        var plain = BpeTokenizer.LoadTiktoken(tiktoken, "gpt4", new Dictionary<string, int> { ["<eos>"] = 50300 });
        Assert.Equal(50301, plain.VocabSize);
        Assert.Equal(SplitPatterns.Gpt4, plain.Pattern);
        Assert.Equal([50300], plain.Encode("<eos>"));
        Assert.Equal(expected, BpeTokenizer.Load(Path.Combine(TestData.Require("gpt2-bpe"), "vocab.bpe")).Encode(text));
    }

    [Fact]
    public void TruncatedJsonNamesFileAndLine()
    {
        var path = Path.Combine(_folder, "tok.json");
        TrainSmall().Save(path);
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines.Take(lines.Length / 2));
        var ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("line", ex.Message);
    }

    [Fact]
    public void BadJsonEntriesAreNamed()
    {
        var path = Path.Combine(_folder, "tok.json");
        TrainSmall().Save(path);
        var good = File.ReadAllText(path);
        File.WriteAllText(path, good.Replace("\"Ġ t\"", "\"Ġ q z\""));
        var ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains("model.merges[", ex.Message);
        File.WriteAllText(path, good.Replace("\"Ġt\": ", "\"Ġt \": "));
        ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains("model.vocab entry \"Ġt \" is not written in the byte-level alphabet", ex.Message);
        File.WriteAllText(path, "{ \"format\": \"sharpformer-bpe\", \"version\": 7 }");
        ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains("version", ex.Message);
    }

    [Fact]
    public void MalformedGpt2FilesNameFileAndLine()
    {
        var source = TestData.Require("gpt2-bpe");
        var folder = Path.Combine(_folder, "gpt2");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(source, "encoder.json"), Path.Combine(folder, "encoder.json"));
        var merges = File.ReadAllLines(Path.Combine(source, "vocab.bpe"));

        merges[5] = "Ġt";
        File.WriteAllLines(Path.Combine(folder, "vocab.bpe"), merges);
        var ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(folder));
        Assert.Contains("vocab.bpe: line 6", ex.Message);

        File.WriteAllLines(Path.Combine(folder, "vocab.bpe"), File.ReadAllLines(Path.Combine(source, "vocab.bpe")).Take(1000));
        ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(folder));
        Assert.Contains("encoder.json", ex.Message);
        Assert.Contains("truncated", ex.Message);

        var encoder = File.ReadAllText(Path.Combine(source, "encoder.json"));
        File.WriteAllText(Path.Combine(folder, "encoder.json"), encoder[..(encoder.Length / 3)]);
        ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(folder));
        Assert.Contains("encoder.json: not valid JSON at line", ex.Message);

        File.Delete(Path.Combine(folder, "encoder.json"));
        Assert.Throws<FileNotFoundException>(() => BpeTokenizer.Load(folder));
    }

    [Fact]
    public void MalformedTiktokenNamesTheLine()
    {
        var path = Path.Combine(_folder, "bad.tiktoken");
        var lines = Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}").ToList();
        lines.Insert(10, "not!base64 300");
        File.WriteAllLines(path, lines);
        var ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains("line 11", ex.Message);

        File.WriteAllLines(path, lines.Take(10).Concat(lines.Skip(11)).Where((_, i) => i != 65));
        ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains("byte 0x41", ex.Message);
    }

    [Fact]
    public void UnknownFileIsRejectedClearly()
    {
        var path = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(path, "hello there\n");
        var ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Throws<FileNotFoundException>(() => BpeTokenizer.Load(Path.Combine(_folder, "absent.json")));
    }

    [Fact]
    public void CharacterTokenizerWithNoCharacters_IsRefusedNamingTheFile()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            CharTokenizer.FromJson("""{"type":"char","version":1,"chars":""}""", "run/char_tokenizer.json"));
        Assert.StartsWith("run/char_tokenizer.json: ", ex.Message);
        Assert.Contains("no characters", ex.Message);
    }
}
