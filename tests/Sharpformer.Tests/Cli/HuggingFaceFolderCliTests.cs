using System.Text.Json.Nodes;
using Sharpformer.Cli;
using Sharpformer.Tensors;
using Sharpformer.Tests.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// A GPT-2 folder from transformers given to `--model`: it generates, and a malformed one (a missing tensor, a wrong
/// shape, an unsupported activation or setting, half-precision weights) gets one error line naming the file, exit 2.
/// </summary>
public sealed class HuggingFaceFolderCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-hfcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString().Trim());
    }

    /// <summary>A byte-level BPE of 300 ids, enough for a folder with a tokenizer and no download.</summary>
    private static BpeTokenizer SmallBpe()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(300) { SpecialTokens = ["<|endoftext|>"] });
        trainer.AddText(string.Concat(Enumerable.Repeat("the cat sat on the mat. a dog ran to the cat. ", 20)));
        return trainer.Train();
    }

    private string Folder(string name, Action<Dictionary<string, Tensor>>? edit = null, Func<JsonObject, JsonObject>? config = null)
    {
        var tokenizer = SmallBpe();
        var model = HuggingFaceGpt2Folder.RandomModel(layers: 2, heads: 2, embedding: 16, positions: 32, vocab: tokenizer.VocabSize, seed: 5);
        var dir = HuggingFaceGpt2Folder.Write(Path.Combine(_dir, name), model, tokenizer, edit);
        if (config != null)
        {
            var path = Path.Combine(dir, "config.json");
            File.WriteAllText(path, config(JsonNode.Parse(File.ReadAllText(path))!.AsObject()).ToJsonString());
        }
        return dir;
    }

    private static string RunBad(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Single(error.Split('\n'));
        Assert.StartsWith("error: ", error);
        return error;
    }

    [Fact]
    public void GenerateRunsOnAGpt2FolderFromTransformers()
    {
        var dir = Folder("good");
        var (code, _, error) = Run("generate", "--model", dir, "--prompt", "the cat", "--max-new-tokens", "12", "--temperature", "0");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void AMissingTensorIsNamed()
    {
        var dir = Folder("missing", t => t.Remove("transformer.h.1.mlp.c_fc.bias"));
        var error = RunBad("generate", "--model", dir);
        Assert.Contains("model.safetensors: missing tensor 'h.1.mlp.c_fc.bias' (64)", error);
    }

    [Fact]
    public void AWrongShapeIsNamed()
    {
        var dir = Folder("shape", t => t["transformer.h.0.attn.c_attn.weight"] = new Tensor(48, 16)); // a Linear's (out, in), not Conv1D's
        var error = RunBad("generate", "--model", dir);
        Assert.Contains("tensor 'transformer.h.0.attn.c_attn.weight' has shape (48, 16)", error);
        Assert.Contains("implies (16, 48)", error);
    }

    [Fact]
    public void ATensorStoredWithAndWithoutThePrefixIsNamed()
    {
        var dir = Folder("twice", t => t["wte.weight"] = t["transformer.wte.weight"]);
        Assert.Contains("tensor 'wte.weight' is stored twice, with and without the 'transformer.' prefix", RunBad("generate", "--model", dir));
    }

    [Theory]
    [InlineData("activation_function", "\"swish\"", "activation_function 'swish' is not supported")]
    [InlineData("tie_word_embeddings", "false", "tie_word_embeddings false (an untied output head) is not supported")]
    [InlineData("layer_norm_epsilon", "1e-6", "layer_norm_epsilon 1E-06 is not supported")]
    [InlineData("model_type", "\"llama\"", "model_type 'llama' is not supported")]
    [InlineData("n_inner", "100", "n_inner must be null or 4·n_embd (64)")]
    public void AnUnsupportedConfigIsNamed(string key, string value, string expected)
    {
        var dir = Folder(key, config: c => { c[key] = JsonNode.Parse(value); return c; });
        var error = RunBad("generate", "--model", dir);
        Assert.Contains("config.json: GPT config: ", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HalfPrecisionWeightsAreWidenedAndRun(bool bfloat16)
    {
        var dir = Folder(bfloat16 ? "bf16" : "f16");
        var path = Path.Combine(dir, "model.safetensors");
        var tensors = SafeTensors.Load(path).Tensors;
        // The same tensors as F16 or BF16 (BF16: F32's top 16 bits), as many hub folders hold them: 2 bytes a value.
        static ushort Narrow(float v, bool bf) => bf ? (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16) : BitConverter.HalfToUInt16Bits((Half)v);
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        var data = new MemoryStream();
        foreach (var (name, t) in tensors)
        {
            long begin = data.Length;
            foreach (var v in t.Span.ToArray()) data.Write(BitConverter.GetBytes(Narrow(v, bfloat16)));
            header[name] = new JsonObject { ["dtype"] = bfloat16 ? "BF16" : "F16", ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(begin, data.Length) };
        }
        var json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        using (var file = File.Create(path))
        {
            file.Write(BitConverter.GetBytes((ulong)json.Length));
            file.Write(json);
            data.WriteTo(file);
        }
        var model = Sharpformer.Training.GptCheckpoint.LoadModel(dir);
        var wte = tensors["transformer.wte.weight"].Span.ToArray();
        var widened = wte.Select(v => bfloat16 ? BitConverter.UInt32BitsToSingle((uint)Narrow(v, true) << 16) : (float)(Half)v);
        Assert.Equal(widened, model.TokenEmbedding.Weight.Value.Span.ToArray());
        var (code, _, error) = Run("generate", "--model", dir, "--prompt", "the", "--max-new-tokens", "4");
        Assert.True(code == 0, error);
    }
}
