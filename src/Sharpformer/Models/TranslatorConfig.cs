using System.Text.Json;
using System.Text.Json.Serialization;
using Attention_ = Sharpformer.Attention;

namespace Sharpformer.Models;

/// <summary>
/// The shape of an encoder–decoder translator. Vocabulary sizes include the three special ids the model
/// appends after the tokenizer's (padding, begin, end of sentence).
/// </summary>
public sealed record TranslatorConfig(
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
    [property: JsonPropertyName("attention")] string Attention = "full")
{
    public TranslatorConfig Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"Translator config: {what}."); }
        Require(EncoderLayers >= 1 && DecoderLayers >= 1, "encoder_layers and decoder_layers must be ≥ 1");
        Require(Heads >= 1 && Embedding % Heads == 0, $"n_embd ({Embedding}) must be a multiple of n_head ({Heads})");
        Require(Hidden >= 1 && MaxLength >= 2, "ffn_hidden must be ≥ 1 and max_length ≥ 2");
        Require(SourceVocab >= 4 && TargetVocab >= 4, "vocabularies need at least one token besides the three special ids");
        Require(!SharedVocabulary || SourceVocab == TargetVocab, "a shared vocabulary needs equal source and target sizes");
        Require(Positions is "sinusoidal" or "learned", $"positions must be sinusoidal or learned, got '{Positions}'");
        Require(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}");
        Attention_.AttentionVariants.Create(Attention);
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    public static TranslatorConfig FromJson(string json, string source)
    {
        try { return (JsonSerializer.Deserialize<TranslatorConfig>(json) ?? throw new InvalidDataException($"{source}: empty config.")).Validated(); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: malformed translator config ({e.Message})."); }
    }
}
