using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tests.Tokenization;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Tests.Models;

/// <summary>A GPT folder is a Hugging Face GPT-2 folder, and a GPT-2 folder from transformers is a GPT folder.</summary>
public sealed class Gpt2LayoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-gpt2-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Logits(Gpt model, int[] ids)
    {
        using var tape = new Tape(recordGradients: false);
        return model.Forward(tape, ids, 1, ids.Length).Value.Span.ToArray();
    }

    private static readonly int[] Prompt = [3, 1, 4, 1, 5, 9, 2, 6];

    [Theory]
    [InlineData(false, "gelu", "full")]
    [InlineData(true, "gelu", "full")]
    [InlineData(false, "gelu_exact", "flash")]
    [InlineData(true, "relu", "window:3")]
    [InlineData(true, "identity", "parameter-free")]
    [InlineData(false, "none", "full")]
    public void ExportThenImportGivesIdenticalLogitsAndConfig(bool bias, string activation, string attention)
    {
        var config = new GptConfig(2, 2, 16, 12, 11, Dropout: 0.1f, Bias: bias, Attention: attention, Activation: activation);
        var model = new Gpt(config, 7);
        GptCheckpoint.Save(_dir, model, CharTokenizer.FromText("abcdefghijk"));
        var (loaded, _) = GptCheckpoint.Load(_dir);
        Assert.Equal(config, loaded.Config);
        Assert.Equal(Logits(model, Prompt), Logits(loaded, Prompt));
    }

    [Fact]
    public void TheFolderHoldsWhatHuggingFaceExpects()
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions(270) { SpecialTokens = ["<|endoftext|>"] });
        trainer.AddText("the cat sat on the mat and the hat sat on the cat");
        var tokenizer = trainer.Train();
        var model = new Gpt(new GptConfig(2, 2, 16, 12, tokenizer.VocabSize, Bias: false, Activation: "gelu"), 7);
        GptCheckpoint.Save(_dir, model, tokenizer);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "config.json")));
        var root = config.RootElement;
        Assert.Equal("gpt2", root.GetProperty("model_type").GetString());
        Assert.Equal("GPT2LMHeadModel", root.GetProperty("architectures")[0].GetString());
        Assert.Equal("gelu_new", root.GetProperty("activation_function").GetString());
        Assert.Equal(12, root.GetProperty("n_positions").GetInt32());
        Assert.Equal(1e-5, root.GetProperty("layer_norm_epsilon").GetDouble());
        Assert.False(root.GetProperty("sharpformer_bias").GetBoolean());
        Assert.Equal(tokenizer.SpecialTokens["<|endoftext|>"], root.GetProperty("eos_token_id").GetInt32());

        var header = SafeTensorsHeader.Read(Path.Combine(_dir, "model.safetensors"));
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal([16, 48], header.Find("h.0.attn.c_attn.weight")!.Shape);   // Conv1D (in, out)
        Assert.Equal([64, 16], header.Find("h.1.mlp.c_proj.weight")!.Shape);
        Assert.Null(header.Find("lm_head.weight"));                                // tied to wte
        var tensors = SafeTensors.Load(header.Path).Tensors;
        // A bias-free model stores zero biases; c_attn's weight is the transpose of the fused qkv Linear.
        Assert.All(tensors.Where(t => t.Key.EndsWith(".bias")), t => Assert.DoesNotContain(t.Value.Span.ToArray(), v => v != 0));
        var qkv = model.Blocks[0].Attn.Qkv.Weight.Value;                           // (3C, C)
        Assert.Equal(qkv.Span[5 * 16 + 3], tensors["h.0.attn.c_attn.weight"].Span[3 * 48 + 5]);
        Assert.True(File.Exists(Path.Combine(_dir, "tokenizer.json")));
        Assert.False(File.Exists(Path.Combine(_dir, Checkpoint.CharTokenizerFile)));
    }

    [Fact]
    public void ABiasFreeModelTrainedOnElsewhereComesBackWithItsBiases()
    {
        var model = new Gpt(new GptConfig(1, 2, 16, 12, 11), 7);
        GptCheckpoint.Save(_dir, model, CharTokenizer.FromText("abcdefghijk"));
        var path = Path.Combine(_dir, "model.safetensors");
        var tensors = SafeTensors.Load(path).Tensors;
        tensors["h.0.mlp.c_fc.bias"].Span[7] = 0.25f;
        SafeTensors.Save(path, tensors.Select(kv => (kv.Key, kv.Value)), new Dictionary<string, string> { ["format"] = "pt" });
        var loaded = GptCheckpoint.LoadModel(_dir);
        Assert.True(loaded.Config.Bias);
        Assert.Equal(0.25f, loaded.Blocks[0].Mlp!.Up.Bias!.Value.Span[7]);
    }

    [Fact]
    public void AFolderAsTransformersWritesItLoadsAndGeneratesWithTheKvCache()
    {
        // GPT-2 124M's vocabulary and the layout of its files, at a smaller width and depth.
        var gpt2 = TokenizerFixtures.Gpt2;
        var source = HuggingFaceGpt2Folder.RandomModel(layers: 2, heads: 4, embedding: 64, positions: 96, vocab: 50257, seed: 3);
        HuggingFaceGpt2Folder.Write(_dir, source, gpt2);
        Assert.False(File.Exists(Path.Combine(_dir, "tokenizer.json")));

        var (model, tokenizer) = GptCheckpoint.Load(_dir);
        Assert.Equal(new GptConfig(2, 4, 64, 96, 50257, Dropout: 0.1f, Bias: true), model.Config);
        Assert.Equal(gpt2.Encode("Hello world, again."), tokenizer.Encode("Hello world, again."));
        var ids = tokenizer.Encode("The quick brown fox");
        Assert.Equal(Logits(source, ids), Logits(model, ids));

        var generator = new GptGenerator(model, tokenizer);
        var greedy = new SamplingOptions(Temperature: 0, TopK: null);
        string cached = generator.Generate("The quick brown fox", new GenerationOptions(40, UseKvCache: true), greedy);
        string recomputed = generator.Generate("The quick brown fox", new GenerationOptions(40, UseKvCache: false), greedy);
        Assert.Equal(recomputed, cached);
        Assert.True(tokenizer.Encode(cached).Length >= 20, cached);
    }

    [Fact]
    public void TranslatorAndClassifierFoldersUseNoHuggingFaceFileNames()
    {
        var classifier = new SequenceClassifier(new SequenceClassifierConfig(1, 2, 16, 32, 8, 4, 3), 1);
        ClassifierCheckpoint.Save(_dir, classifier, ["a", "b", "c", "d"]);
        Assert.Equal(["classifier.safetensors", "classifier_config.json", "vocabulary.json"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
        Assert.Equal(classifier.Parameters().SelectMany(p => p.Value.Span.ToArray()),
            ClassifierCheckpoint.Load(_dir).Model.Parameters().SelectMany(p => p.Value.Span.ToArray()));
    }
}
