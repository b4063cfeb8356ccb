using System.Text.Json.Serialization;
using Attn = Sharpformer.Attention;

namespace Sharpformer.Models;

/// <summary>
/// The shape of a decoder-only language model (nanoGPT's GPTConfig). Its JSON properties are nanoGPT's names, which a
/// `sharpformer train --config` file uses; a model folder saves it as GPT-2's config.json instead (<see cref="ToJson"/>).
/// </summary>
internal sealed record GptConfig(
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

    /// <summary>False for activation <c>none</c>: blocks of attention alone, without a feed-forward block.</summary>
    [JsonIgnore] public bool HasFeedForward => Activation != "none";

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first field that is out of range (the bounds are
    /// <see cref="ModelLimits"/>'), or stating the memory the model needs when that exceeds the machine's.
    /// </summary>
    public GptConfig Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"GPT config: {what}."); }
        const string kind = "GPT config";
        ModelLimits.RequireRange(kind, "n_layer", Layers, 1, ModelLimits.MaxLayers);
        ModelLimits.RequireRange(kind, "n_head", Heads, 1, ModelLimits.MaxHeads);
        ModelLimits.RequireRange(kind, "n_embd", Embedding, 1, ModelLimits.MaxEmbedding);
        Require(Embedding % Heads == 0, $"n_embd ({Embedding}) must be a positive multiple of n_head ({Heads})");
        ModelLimits.RequireRange(kind, "n_positions (block_size)", BlockSize, 1, ModelLimits.MaxLength);
        ModelLimits.RequireRange(kind, "vocab_size", VocabSize, 1, ModelLimits.MaxVocabSize);
        Require(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}");
        Attn.AttentionVariants.Create(Attention);
        if (HasFeedForward) ParseActivation(Activation);
        ModelLimits.RequireTensor(kind, "wte (vocab_size × n_embd)", VocabSize, Embedding);
        ModelLimits.RequireTensor(kind, "wpe (n_positions × n_embd)", BlockSize, Embedding);
        ModelLimits.RequireTensor(kind, "the MLP (4·n_embd × n_embd)", 4L * Embedding, Embedding);
        ModelLimits.RequireMemory(kind, ParameterCount(), ModelLimits.BytesPerParameter);
        return this;
    }

    /// <summary>
    /// Parameters of the model this config describes, without building it: wte, wpe, n_layer blocks (MLP 4·n_embd
    /// wide, absent with activation none) and ln_f; the output head is tied to wte.
    /// </summary>
    public long ParameterCount()
    {
        long c = Embedding;
        return (long)VocabSize * c + (long)BlockSize * c + Layers * ModelLimits.BlockParameters(c, 4 * c, Bias, crossAttention: false, HasFeedForward, ModelLimits.MergedHeads(Attention, Heads))
            + c + (Bias ? c : 0);
    }

    /// <summary>
    /// gelu (tanh form, GPT-2), gelu_exact (x·Φ(x), nanoGPT's nn.GELU()), relu or identity (no nonlinearity); a
    /// config's activation may also be none, which leaves the feed-forward block out (<see cref="HasFeedForward"/>).
    /// </summary>
    public static Nn.Activation ParseActivation(string name) => name switch
    {
        "gelu" => Nn.Activation.Gelu,
        "gelu_exact" => Nn.Activation.GeluExact,
        "relu" => Nn.Activation.Relu,
        "identity" => Nn.Activation.Identity,
        _ => throw new ArgumentException($"GPT config: activation must be gelu, gelu_exact, relu, identity or none (no feed-forward block), got '{name}'."),
    };

    /// <summary>GPT-2's config.json for this shape (<see cref="Gpt2Config.Write"/>).</summary>
    public string ToJson(int? endOfTextId = null) => Gpt2Config.Write(this, endOfTextId);

    /// <summary>Reads GPT-2's config.json (<see cref="Gpt2Config.Read"/>); errors name <paramref name="source"/>.</summary>
    public static GptConfig FromJson(string json, string source) => Gpt2Config.Read(json, source);
}
