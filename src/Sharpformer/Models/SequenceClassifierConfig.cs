using System.Text.Json;
using System.Text.Json.Serialization;
using Attn = Sharpformer.Attention;

namespace Sharpformer.Models;

/// <summary>The shape of an encoder-only sequence classifier; <c>max_length</c> counts the classification token.</summary>
public sealed record SequenceClassifierConfig(
    [property: JsonPropertyName("n_layer")] int Layers,
    [property: JsonPropertyName("n_head")] int Heads,
    [property: JsonPropertyName("n_embd")] int Embedding,
    [property: JsonPropertyName("ffn_hidden")] int Hidden,
    [property: JsonPropertyName("max_length")] int MaxLength,
    [property: JsonPropertyName("vocab_size")] int VocabSize,
    [property: JsonPropertyName("n_classes")] int Classes,
    [property: JsonPropertyName("dropout")] float Dropout = 0f,
    [property: JsonPropertyName("bias")] bool Bias = true,
    [property: JsonPropertyName("attention")] string Attention = "full")
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public SequenceClassifierConfig Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Classifier config: {what}."); }
        Require(Layers >= 1, $"n_layer must be ≥ 1, got {Layers}");
        Require(Heads >= 1 && Embedding >= 1 && Embedding % Heads == 0, $"n_embd ({Embedding}) must be a positive multiple of n_head ({Heads})");
        Require(Hidden >= 1, $"ffn_hidden must be ≥ 1, got {Hidden}");
        Require(MaxLength >= 1, $"max_length must be ≥ 1, got {MaxLength}");
        Require(VocabSize >= 1, $"vocab_size must be ≥ 1, got {VocabSize}");
        Require(Classes >= 2, $"n_classes must be ≥ 2, got {Classes}");
        Require(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}");
        Attn.AttentionVariants.Create(Attention);
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    public static SequenceClassifierConfig FromJson(string json, string source)
    {
        try { return (JsonSerializer.Deserialize<SequenceClassifierConfig>(json) ?? throw new InvalidDataException($"{source}: empty classifier config.")).Validated(); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: malformed classifier config ({e.Message})."); }
    }
}
