using System.Text.Json;
using Sharpformer.Cli;
using Sharpformer.Interop.Onnx;
using Sharpformer.Tests.Interop.Onnx;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// `sharpformer export --format onnx`: from a checkpoint folder to model.onnx, genai_config.json (whose names are
/// the model's and whose sizes are the config's) and the tokenizer; bad requests are one line and exit 2.
/// </summary>
public sealed class ExportOnnxCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Error) Run(params string[] args)
    {
        var error = new StringWriter();
        int code = CliApp.Run(args, new StringWriter(), error);
        return (code, error.ToString().Trim());
    }

    private string SaveCheckpoint(string attention = "full")
    {
        var dir = Path.Combine(_dir, "checkpoint");
        var model = GptOnnxExportTests.RandomGpt(bias: true, vocab: 12, attention: attention);
        GptCheckpoint.Save(dir, model, CharTokenizer.FromText("abcdefghijkl"));
        return dir;
    }

    [Fact]
    public void ExportWritesTheModelItsGenAiConfigAndTheTokenizer()
    {
        var checkpoint = SaveCheckpoint();
        var outDir = Path.Combine(_dir, "onnx");
        var (code, error) = Run("export", "--model", checkpoint, "--format", "onnx", "--out", outDir);
        Assert.True(code == 0, error);

        var (model, tokenizer) = GptCheckpoint.Load(checkpoint);
        var c = model.Config;
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, OnnxDecoderNames.GenAiConfigFile)));
        var m = config.RootElement.GetProperty("model");
        var decoder = m.GetProperty("decoder");
        Assert.Equal(OnnxDecoderNames.ModelFile, decoder.GetProperty("filename").GetString());
        Assert.Equal(c.Layers, decoder.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(c.Heads, decoder.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(c.Heads, decoder.GetProperty("num_key_value_heads").GetInt32());
        Assert.Equal(c.HeadSize, decoder.GetProperty("head_size").GetInt32());
        Assert.Equal(c.Embedding, decoder.GetProperty("hidden_size").GetInt32());
        Assert.Equal(c.BlockSize, m.GetProperty("context_length").GetInt32());
        Assert.Equal(c.VocabSize, m.GetProperty("vocab_size").GetInt32());
        Assert.Equal(0, m.GetProperty("eos_token_id").GetArrayLength());   // a character tokenizer has no end-of-text token
        Assert.False(config.RootElement.GetProperty("search").GetProperty("past_present_share_buffer").GetBoolean());

        // Every name the config gives is one the model has, layer by layer.
        using var runner = new OnnxDecoderRunner(Path.Combine(outDir, decoder.GetProperty("filename").GetString()!), c.Layers, c.Heads, c.HeadSize);
        var inputs = decoder.GetProperty("inputs");
        var outputs = decoder.GetProperty("outputs");
        string[] expectedInputs = [inputs.GetProperty("input_ids").GetString()!, inputs.GetProperty("attention_mask").GetString()!,
            inputs.GetProperty("position_ids").GetString()!,
            .. Enumerable.Range(0, c.Layers).SelectMany(l => new[] { Layer(inputs, "past_key_names", l), Layer(inputs, "past_value_names", l) })];
        string[] expectedOutputs = [outputs.GetProperty("logits").GetString()!,
            .. Enumerable.Range(0, c.Layers).SelectMany(l => new[] { Layer(outputs, "present_key_names", l), Layer(outputs, "present_value_names", l) })];
        Assert.Equal(expectedInputs.Order(), runner.InputNames.Order());
        Assert.Equal(expectedOutputs.Order(), runner.OutputNames.Order());

        Assert.True(File.Exists(Path.Combine(outDir, Checkpoint.CharTokenizerFile)));
        var exportedTokenizer = Checkpoint.LoadTokenizer(outDir);
        Assert.Equal(tokenizer.Encode("badge"), exportedTokenizer.Encode("badge"));
        GptOnnxExportTests.CompareDecoding(model, Path.Combine(outDir, OnnxDecoderNames.ModelFile), [1, 2, 3], decodeSteps: 2);
    }

    private static string Layer(JsonElement names, string key, int layer) => names.GetProperty(key).GetString()!.Replace("%d", layer.ToString());

    [Fact]
    public void ApproximateAttentionIsOneLineAndExitTwo()
    {
        var checkpoint = SaveCheckpoint(attention: "window:8");
        var (code, error) = Run("export", "--model", checkpoint, "--format", "onnx", "--out", Path.Combine(_dir, "onnx"));
        Assert.Equal(2, code);
        Assert.Single(error.Split('\n'));
        Assert.Contains("attention 'window:8' is approximate", error);
    }

    [Fact]
    public void AnUnknownFormatIsOneLineAndExitTwo()
    {
        var checkpoint = SaveCheckpoint();
        var (code, error) = Run("export", "--model", checkpoint, "--format", "tflite", "--out", Path.Combine(_dir, "out"));
        Assert.Equal(2, code);
        Assert.Equal("error: --format tflite: expected onnx.", error);
    }
}
