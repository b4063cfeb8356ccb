using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Models;

/// <summary>A config.json is checked against stated limits, its weights' header and the machine before a model is built.</summary>
public sealed class ConfigLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(2, 2, 16, 8, 11, false)]
    [InlineData(3, 4, 32, 17, 65, true)]
    public void ParameterCountsMatchTheBuiltModels(int layers, int heads, int embd, int block, int vocab, bool bias)
    {
        var gpt = new GptConfig(layers, heads, embd, block, vocab, Bias: bias);
        Assert.Equal(new Gpt(gpt, 1).ParameterCount(), gpt.ParameterCount());
        foreach (bool shared in new[] { true, false })
            foreach (var positions in new[] { "sinusoidal", "learned" })
            {
                var translator = new TranslatorConfig(layers, layers + 1, heads, embd, 3 * embd, block, vocab, shared ? vocab : vocab + 5, shared, positions, Bias: bias);
                Assert.Equal(new Translator(translator, 1).ParameterCount(), translator.ParameterCount());
            }
        var classifier = new SequenceClassifierConfig(layers, heads, embd, 2 * embd, block, vocab, 10, Bias: bias);
        Assert.Equal(new SequenceClassifier(classifier, 1).ParameterCount(), classifier.ParameterCount());
    }

    [Theory]
    [InlineData(200_000, 2, 16, 8, 11, "n_layer must be in [1, 1,000], got 200,000")]
    [InlineData(2, 1, 1_048_576, 8, 11, "n_embd must be in [1, 65,536]")]
    [InlineData(2, 2, 16, int.MaxValue, 11, "n_positions (block_size) must be in [1, 1,048,576]")]
    [InlineData(2, 2, 16, 8, 2_000_000_000, "vocab_size must be in [1, 4,194,304]")]
    [InlineData(2, 0, 16, 8, 11, "n_head must be in [1, 1,024], got 0")]
    [InlineData(2, 1, 1024, 8, 4_194_304, "wte (vocab_size × n_embd) would be a 4,194,304 × 1,024 matrix")]
    public void FieldsOutsideTheLimitsAreRefusedNamingTheFile(int layers, int heads, int embd, int block, int vocab, string expected)
    {
        var json = $"{{\"model_type\": \"gpt2\", \"n_layer\": {layers}, \"n_head\": {heads}, \"n_embd\": {embd}, \"n_positions\": {block}, \"vocab_size\": {vocab}}}";
        var e = Assert.Throws<InvalidDataException>(() => GptConfig.FromJson(json, "/models/x/config.json"));
        Assert.StartsWith("/models/x/config.json: GPT config: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AModelLargerThanTheMachineIsRefusedWithTheEstimate()
    {
        // 1,000 layers of width 8,192: about 805 billion parameters, 6.4 TB with gradients.
        var config = new GptConfig(1000, 64, 8192, 1024, 50257);
        var e = Assert.Throws<ArgumentException>(() => config.Validated());
        Assert.Contains("needs about 6.4 TB", e.Message);
        Assert.Contains($"{config.ParameterCount():N0} parameters × 8 bytes", e.Message);
        Assert.Contains("this machine has", e.Message);
        var translator = new TranslatorConfig(500, 500, 64, 8192, 32768, 1024, 1000, 1000);
        Assert.Contains("needs about", Assert.Throws<ArgumentException>(() => translator.Validated()).Message);
    }

    private string SaveGpt(GptConfig config)
    {
        var dir = Path.Combine(_dir, "gpt");
        GptCheckpoint.Save(dir, new Gpt(config, 1), CharTokenizer.FromText("abcdefghij"));
        return dir;
    }

    [Fact]
    public void PreflightComparesTheConfigWithTheWeightsHeader()
    {
        var dir = SaveGpt(new GptConfig(2, 2, 16, 8, 10));
        string config = Path.Combine(dir, "config.json"), weights = Path.Combine(dir, "model.safetensors");
        ModelPreflight.Check(config, weights);

        File.WriteAllText(config, new GptConfig(4, 2, 16, 8, 10).ToJson());
        var e = Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights));
        Assert.Equal($"{weights}: missing tensor 'h.2.ln_1.weight' (16) that {config} implies.", e.Message);
        File.WriteAllText(config, new GptConfig(1, 2, 16, 8, 10).ToJson());
        e = Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights));
        Assert.Contains("tensor 'h.1.ln_1.weight' is not part of the GPT-2 model", e.Message);
        File.WriteAllText(config, new GptConfig(2, 2, 16, 8, 12).ToJson());
        e = Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights));
        Assert.Equal($"{weights}: tensor 'wte.weight' has shape (10, 16), {config} implies (12, 16).", e.Message);

        File.WriteAllText(config, new GptConfig(2, 2, 16, 8, 10).ToJson().Replace("\"n_layer\": 2", "\"n_layer\": 200000"));
        Assert.Contains("n_layer must be in", Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights)).Message);

        File.WriteAllText(config, "{\"hidden\": 3}");
        Assert.Contains("neither a GPT-2 (model_type)", Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights)).Message);
        File.WriteAllText(config, "{\"model_type\": \"gpt2\", \"hidden\": 3}");
        Assert.Contains("GPT config: n_embd is missing", Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights)).Message);
        File.WriteAllText(config, new string(' ', (int)ModelPreflight.MaxConfigBytes + 1));
        Assert.Contains("limit for a model config", Assert.Throws<InvalidDataException>(() => ModelPreflight.Check(config, weights)).Message);
    }

    [Fact]
    public void NonFiniteWeightsInACheckpointAreRefusedNamingTheTensor()
    {
        var config = new GptConfig(1, 2, 16, 8, 10);
        var model = new Gpt(config, 1);
        model.Blocks[0].Mlp!.Up.Weight.Value.Span[5] = float.NaN;
        var dir = Path.Combine(_dir, "nan");
        Training.UncheckedWeights.SaveGpt(dir, model, CharTokenizer.FromText("abcdefghij"));
        var e = Assert.Throws<InvalidDataException>(() => GptCheckpoint.Load(dir));
        Assert.Contains("'h.0.mlp.c_fc.weight'", e.Message);
        Assert.Contains("NaN", e.Message);
        // Up.Weight (64, 16) element 5 is (0, 5); c_fc stores its transpose (16, 64): (5, 0).
        Assert.True(float.IsNaN(SafeTensors.Load(Path.Combine(dir, "model.safetensors"), allowNonFinite: true).Tensors["h.0.mlp.c_fc.weight"].Span[5 * 64]));
    }
}
