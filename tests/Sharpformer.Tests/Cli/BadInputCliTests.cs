using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Sharpformer.Cli;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// Bad files reach the user as one line and exit code 2, quickly, never as an internal error (exit 1), a hang or an
/// allocation the machine cannot make.
/// </summary>
public sealed class BadInputCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-badinput-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the CLI in-process; asserts exit code 2, one line of error, and that it came back within seconds (a hang guard).</summary>
    private static string RunBad(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = CliApp.Run(args, output, error);
        var text = error.ToString().Trim();
        Assert.True(code == 2, $"exit {code}: {text}");
        Assert.Single(text.Split('\n'));
        Assert.StartsWith("error: ", text);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        return text;
    }

    private string SaveGpt(string name, int layers = 2, Action<Gpt>? edit = null)
    {
        var dir = Path.Combine(_dir, name);
        var model = new Gpt(new GptConfig(layers, 2, 16, 8, 10), 1);
        edit?.Invoke(model);
        Training.UncheckedWeights.SaveGpt(dir, model, CharTokenizer.FromText("abcdefghij"));
        return dir;
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void AConfigOfTwoHundredThousandLayersIsRefusedBeforeAllocating()
    {
        var dir = SaveGpt("huge");
        var config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"n_layer\": 2", "\"n_layer\": 200000"));
        var error = RunBad("generate", "--model", dir, "--max-new-tokens", "1");
        Assert.Contains(config, error);
        Assert.Contains("n_layer must be in [1, 1,000], got 200,000", error);
    }

    [Fact]
    public void AConfigThatDoesNotMatchTheWeightsIsRefused()
    {
        var dir = SaveGpt("mismatch");
        File.WriteAllText(Path.Combine(dir, "config.json"), new GptConfig(3, 2, 16, 8, 10).ToJson());
        var error = RunBad("eval", "--model", dir, "--data", "/no/such/file.txt");
        Assert.Contains("model.safetensors: missing tensor 'h.2.ln_1.weight' (16)", error);
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedNamingTheTensor()
    {
        var dir = SaveGpt("nan", edit: m => m.FinalNorm.Weight.Value.Span[3] = float.PositiveInfinity);
        var error = RunBad("generate", "--model", dir, "--max-new-tokens", "1");
        Assert.Contains("'ln_f.weight'", error);
        Assert.Contains("weights must be finite", error);
    }

    [Fact]
    public void TrailingBytesAfterTheWeightsAreRefused()
    {
        var dir = SaveGpt("trailing");
        using (var stream = new FileStream(Path.Combine(dir, "model.safetensors"), FileMode.Append)) stream.Write(new byte[12]);
        Assert.Contains("12 bytes follow the last tensor", RunBad("generate", "--model", dir));
    }

    [Fact]
    public void AnOffsetThatWouldReadTheHeaderAsWeightsIsRefused()
    {
        var dir = SaveGpt("offsets");
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, length);
        var first = System.Text.RegularExpressions.Regex.Match(header, "\"data_offsets\":\\[0,(\\d+)\\]");
        Assert.True(first.Success, header);
        // Offsets whose difference is 4 bytes in wrapping 64-bit arithmetic: refused, never read as weights.
        var forged = header.Replace(first.Value, "\"data_offsets\":[9223372036854775806,-9223372036854775806]");
        var data = bytes.AsSpan(8 + length).ToArray();
        using (var stream = File.Create(path))
        {
            var json = Encoding.UTF8.GetBytes(forged);
            var prefix = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)json.Length);
            stream.Write(prefix);
            stream.Write(json);
            stream.Write(data);
        }
        Assert.Contains("data_offsets entry -9223372036854775806", RunBad("generate", "--model", dir));
    }

    [Fact]
    public void AUtf16CorpusIsRefusedNamingTheFile()
    {
        var dir = SaveGpt("eval");
        var data = Path.Combine(_dir, "wide.txt");
        File.WriteAllText(data, "abcabcabcabc", Encoding.Unicode);
        var error = RunBad("eval", "--model", dir, "--data", data);
        Assert.Contains($"--data {data}", error);
        Assert.Contains("UTF-16 LE byte-order mark", error);
    }

    [Fact]
    public void InvalidUtf8TextToEncodeNamesTheByteOffset()
    {
        var tokenizer = Path.Combine(_dir, "tok.json");
        var trainer = new BpeTrainer(new BpeTrainerOptions(260));
        trainer.AddText("hello hello world");
        trainer.Train().Save(tokenizer);
        var input = Write("latin1.txt", [(byte)'c', (byte)'a', (byte)'f', 0xE9]);
        var error = RunBad("tokenizer", "encode", "--tokenizer", tokenizer, "--input", input);
        Assert.Contains(input, error);
        Assert.Contains("invalid UTF-8 at byte 3", error);
    }

    [Fact]
    public void ACatastrophicPatternEndsWithExitTwo()
    {
        var corpus = Write("a.txt", Encoding.ASCII.GetBytes(new string('a', 64) + "b\n"));
        var error = RunBad("tokenizer", "train", "--data", corpus, "--vocab-size", "260", "--pattern", "(a+)+$", "--out", Path.Combine(_dir, "t.json"));
        Assert.Contains("'(a+)+$'", error);
    }

    [Fact]
    public void TokenizerFilesWithUnboundedIdsEndWithExitTwo()
    {
        var path = Path.Combine(_dir, "special.json");
        var vocab = string.Join(",", Enumerable.Range(0, 256).Select(b => $"\"{JsonEscape(ByteAlphabet.ToChar((byte)b))}\":{b}"));
        File.WriteAllText(path, $"{{\"format\":\"sharpformer-bpe\",\"version\":1,\"pattern\":\"gpt2\",\"vocab\":{{{vocab}}},\"merges\":[],\"special_tokens\":{{\"<s>\":2147483647}}}}");
        var error = RunBad("tokenizer", "encode", "--tokenizer", path, "--input", Write("x.txt", "x"u8.ToArray()));
        Assert.Contains(path, error);
        Assert.Contains("ids must be below", error);
    }

    [Fact]
    public void AListOpsLineThatIsNoExpressionEndsWithExitTwo()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir, "listops")).FullName;
        foreach (var split in new[] { "train", "val", "test" })
            File.WriteAllText(Path.Combine(data, split + ".tsv"), "Source\tTarget\n( ( ( [MAX 2 ) 9 ) ] )\t9\n] ] ]\t3\n");
        var error = RunBad("listops", "train", "--data", data, "--steps", "1");
        Assert.Contains("train.tsv:3:", error);
        Assert.Contains("not a ListOps expression", error);
    }

    private static string JsonEscape(char c) => c switch { '"' => "\\\"", '\\' => "\\\\", _ => c.ToString() };
}
