using System.Text.Json;
using System.Text.Json.Serialization;
using Attention_ = Sharpformer.Attention;

namespace Sharpformer.Models;

/// <summary>
/// The shape of an encoder–decoder translator. Vocabulary sizes include the three special ids the model
/// appends after the tokenizer's (padding, begin, end of sentence).
/// </summary>
internal sealed record TranslatorConfig(
    [property: JsonPropertyName("encoder_layers")] int EncoderLayers,
    [property: JsonPropertyName("decoder_layers")] int DecoderLayers,
    [property: JsonPropertyName("n_head")] int Heads,
    [property: JsonPropertyName("n_embd")] int Embedding,
    [property: JsonPropertyName("ffn_hidden")] int Hidden,
    [property: JsonPropertyName("max_length")] int MaxLength,
    [property: JsonPropertyName("source_vocab_size")] int SourceVocab,
    [property: JsonPropertyName("target_vocab_size")] int TargetVocab,
    [property: JsonPropertyName("shared_vocabulary")] bool SharedVocabulary = true,
    [property: JsonPropertyName("positions")] string Positions = "sinusoidal",
    [property: JsonPropertyName("dropout")] float Dropout = 0.1f,
    [property: JsonPropertyName("bias")] bool Bias = true,
    [property: JsonPropertyName("attention")] string Attention = "full",
    [property: JsonPropertyName("activation")] string Activation = "gelu")
{
    /// <summary>False for activation <c>none</c>: blocks of attention alone, without a feed-forward block.</summary>
    [JsonIgnore] public bool HasFeedForward => Activation != "none";

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first field that is out of range (the bounds are
    /// <see cref="ModelLimits"/>'), or stating the memory the model needs when that exceeds the machine's.
    /// </summary>
    public TranslatorConfig Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Translator config: {what}."); }
        const string kind = "Translator config";
        ModelLimits.RequireRange(kind, "encoder_layers", EncoderLayers, 1, ModelLimits.MaxLayers);
        ModelLimits.RequireRange(kind, "decoder_layers", DecoderLayers, 1, ModelLimits.MaxLayers);
        ModelLimits.RequireRange(kind, "n_head", Heads, 1, ModelLimits.MaxHeads);
        ModelLimits.RequireRange(kind, "n_embd", Embedding, 1, ModelLimits.MaxEmbedding);
        Require(Embedding % Heads == 0, $"n_embd ({Embedding}) must be a multiple of n_head ({Heads})");
        ModelLimits.RequireRange(kind, "ffn_hidden", Hidden, 1, ModelLimits.MaxHidden);
        ModelLimits.RequireRange(kind, "max_length", MaxLength, 2, ModelLimits.MaxLength);
        ModelLimits.RequireRange(kind, "source_vocab_size", SourceVocab, 4, ModelLimits.MaxVocabSize);
        ModelLimits.RequireRange(kind, "target_vocab_size", TargetVocab, 4, ModelLimits.MaxVocabSize);
        Require(!SharedVocabulary || SourceVocab == TargetVocab, "a shared vocabulary needs equal source and target sizes");
        Require(Positions is "sinusoidal" or "learned", $"positions must be sinusoidal or learned, got '{Positions}'");
        Require(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}");
        Attention_.AttentionVariants.Create(Attention);
        Require(Activation is "gelu" or "gelu_exact" or "relu" or "identity" or "none",
            $"activation must be gelu, gelu_exact, relu, identity or none (no feed-forward block), got '{Activation}'");
        ModelLimits.RequireTensor(kind, "the source embedding (source_vocab_size × n_embd)", SourceVocab, Embedding);
        ModelLimits.RequireTensor(kind, "the target embedding (target_vocab_size × n_embd)", TargetVocab, Embedding);
        ModelLimits.RequireTensor(kind, "the position table (max_length × n_embd)", MaxLength, Embedding);
        ModelLimits.RequireTensor(kind, "the MLP (ffn_hidden × n_embd)", Hidden, Embedding);
        // A fixed sinusoidal table is no parameter but is allocated with the model.
        long table = Positions == "sinusoidal" ? 4L * MaxLength * Embedding : 0;
        ModelLimits.RequireMemory(kind, ParameterCount(), ModelLimits.BytesPerParameter, table);
        return this;
    }

    /// <summary>
    /// Parameters of the model this config describes, without building it: embeddings (one when shared), learned
    /// positions if any, encoder and decoder blocks (the decoder's with cross-attention) and their final norms.
    /// </summary>
    public long ParameterCount()
    {
        long c = Embedding;
        long embeddings = (long)SourceVocab * c + (SharedVocabulary ? 0 : (long)TargetVocab * c);
        long positions = Positions == "learned" ? 2L * MaxLength * c : 0;
        long norm = c + (Bias ? c : 0);
        return embeddings + positions
            + EncoderLayers * ModelLimits.BlockParameters(c, Hidden, Bias, crossAttention: false, HasFeedForward, mergedHeads: ModelLimits.MergedHeads(Attention, Heads)) + norm
            + DecoderLayers * ModelLimits.BlockParameters(c, Hidden, Bias, crossAttention: true, HasFeedForward, mergedHeads: ModelLimits.MergedHeads(Attention, Heads)) + norm;
    }

    public string ToJson() => JsonSerializer.Serialize(this, ModelConfigJson.Default.TranslatorConfig);

    public static TranslatorConfig FromJson(string json, string source)
    {
        TranslatorConfig config;
        try { config = JsonSerializer.Deserialize(json, ModelConfigJson.Default.TranslatorConfig) ?? throw new InvalidDataException($"{source}: empty config."); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: malformed translator config ({e.Message})."); }
        try { return config.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }
}
