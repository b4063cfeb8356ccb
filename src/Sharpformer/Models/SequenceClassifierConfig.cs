using System.Text.Json;
using System.Text.Json.Serialization;
using Attn = Sharpformer.Attention;

namespace Sharpformer.Models;

/// <summary>The shape of an encoder-only sequence classifier; <c>max_length</c> counts the classification token.</summary>
internal sealed record SequenceClassifierConfig(
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
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first field that is out of range (the bounds are
    /// <see cref="ModelLimits"/>'), or stating the memory the model needs when that exceeds the machine's.
    /// </summary>
    public SequenceClassifierConfig Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Classifier config: {what}."); }
        const string kind = "Classifier config";
        ModelLimits.RequireRange(kind, "n_layer", Layers, 1, ModelLimits.MaxLayers);
        ModelLimits.RequireRange(kind, "n_head", Heads, 1, ModelLimits.MaxHeads);
        ModelLimits.RequireRange(kind, "n_embd", Embedding, 1, ModelLimits.MaxEmbedding);
        Require(Embedding % Heads == 0, $"n_embd ({Embedding}) must be a positive multiple of n_head ({Heads})");
        ModelLimits.RequireRange(kind, "ffn_hidden", Hidden, 1, ModelLimits.MaxHidden);
        ModelLimits.RequireRange(kind, "max_length", MaxLength, 1, ModelLimits.MaxLength);
        ModelLimits.RequireRange(kind, "vocab_size", VocabSize, 1, ModelLimits.MaxVocabSize);
        ModelLimits.RequireRange(kind, "n_classes", Classes, 2, ModelLimits.MaxClasses);
        Require(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}");
        Attn.AttentionVariants.Create(Attention);
        ModelLimits.RequireTensor(kind, "the token embedding (vocab_size × n_embd)", VocabSize, Embedding);
        ModelLimits.RequireTensor(kind, "the position embedding (max_length × n_embd)", MaxLength, Embedding);
        ModelLimits.RequireTensor(kind, "the MLP (ffn_hidden × n_embd)", Hidden, Embedding);
        ModelLimits.RequireTensor(kind, "the head (n_classes × n_embd)", Classes, Embedding);
        ModelLimits.RequireMemory(kind, ParameterCount(), ModelLimits.BytesPerParameter);
        return this;
    }

    /// <summary>Parameters of the model this config describes, without building it (embeddings, blocks, final norm, head).</summary>
    public long ParameterCount()
    {
        long c = Embedding;
        return (long)VocabSize * c + (long)MaxLength * c + Layers * ModelLimits.BlockParameters(c, Hidden, Bias, crossAttention: false, mergedHeads: ModelLimits.MergedHeads(Attention, Heads))
            + c + (Bias ? c : 0) + Classes * c + Classes;
    }

    public string ToJson() => JsonSerializer.Serialize(this, ModelConfigJson.Default.SequenceClassifierConfig);

    public static SequenceClassifierConfig FromJson(string json, string source)
    {
        SequenceClassifierConfig config;
        try { config = JsonSerializer.Deserialize(json, ModelConfigJson.Default.SequenceClassifierConfig) ?? throw new InvalidDataException($"{source}: empty classifier config."); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: malformed classifier config ({e.Message})."); }
        try { return config.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }
}
