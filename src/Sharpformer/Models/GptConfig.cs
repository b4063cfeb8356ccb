using System.Text.Json;
using System.Text.Json.Serialization;
using Attn = Sharpformer.Attention;

namespace Sharpformer.Models;

/// <summary>The shape of a decoder-only language model (nanoGPT's GPTConfig).</summary>
public sealed record GptConfig(
    [property: JsonPropertyName("n_layer")] int Layers,
    [property: JsonPropertyName("n_head")] int Heads,
    [property: JsonPropertyName("n_embd")] int Embedding,
    [property: JsonPropertyName("block_size")] int BlockSize,
    [property: JsonPropertyName("vocab_size")] int VocabSize,
    [property: JsonPropertyName("dropout")] float Dropout = 0f,
    [property: JsonPropertyName("bias")] bool Bias = false,
    [property: JsonPropertyName("attention")] string Attention = "full",
    [property: JsonPropertyName("activation")] string Activation = "gelu")
{
    [JsonIgnore] public int HeadSize => Embedding / Heads;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public GptConfig Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"GPT config: {what}."); }
        Require(Layers >= 1, $"n_layer must be ≥ 1, got {Layers}");
        Require(Heads >= 1, $"n_head must be ≥ 1, got {Heads}");
        Require(Embedding >= 1 && Embedding % Heads == 0, $"n_embd ({Embedding}) must be a positive multiple of n_head ({Heads})");
        Require(BlockSize >= 1, $"block_size must be ≥ 1, got {BlockSize}");
        Require(VocabSize >= 1, $"vocab_size must be ≥ 1, got {VocabSize}");
        Require(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}");
        Attn.AttentionVariants.Create(Attention);
        ParseActivation(Activation);
        return this;
    }

    /// <summary>gelu (tanh form, GPT-2), gelu_exact (x·Φ(x), nanoGPT's nn.GELU()) or relu.</summary>
    public static Nn.Activation ParseActivation(string name) => name switch
    {
        "gelu" => Nn.Activation.Gelu,
        "gelu_exact" => Nn.Activation.GeluExact,
        "relu" => Nn.Activation.Relu,
        _ => throw new ArgumentException($"GPT config: activation must be gelu, gelu_exact or relu, got '{name}'."),
    };

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    public static GptConfig FromJson(string json, string source)
    {
        try { return (JsonSerializer.Deserialize<GptConfig>(json) ?? throw new InvalidDataException($"{source}: empty GPT config.")).Validated(); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: malformed GPT config ({e.Message})."); }
    }
}
