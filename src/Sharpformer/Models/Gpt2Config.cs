using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpformer.Models;

/// <summary>
/// A <see cref="GptConfig"/> as the config.json that transformers writes for <c>GPT2LMHeadModel</c> (model_type "gpt2",
/// n_layer, n_head, n_embd, n_positions, vocab_size, activation_function, …), so that a model folder written here
/// loads with <c>from_pretrained</c> and a GPT-2 folder from the Hugging Face hub loads here. Two keys are Sharpformer's
/// own and ignored by transformers: <c>sharpformer_attention</c> (the attention variant; absent = full) and
/// <c>sharpformer_bias</c> (false for a model trained without biases, whose folder holds zero biases; absent = true),
/// and <c>sharpformer_feed_forward</c> (false for blocks without a feed-forward layer, activation none, whose folder
/// holds a zero MLP: in transformers its output is exactly 0; absent = true).
/// Settings that change GPT-2's math in ways this model does not implement are refused by name.
/// </summary>
internal static class Gpt2Config
{
    public const string ModelType = "gpt2";
    public const string AttentionKey = "sharpformer_attention", BiasKey = "sharpformer_bias", FeedForwardKey = "sharpformer_feed_forward";

    /// <summary>GPT-2's LayerNorm epsilon, the one the model's LayerNorm uses.</summary>
    public const double LayerNormEpsilon = 1e-5;

    /// <summary>
    /// The config.json text. <paramref name="endOfTextId"/> (the tokenizer's &lt;|endoftext|&gt;, if it has one) becomes
    /// bos_token_id and eos_token_id; without one they are written as null, since transformers' default (50256) would
    /// name an id outside a smaller vocabulary.
    /// </summary>
    public static string Write(GptConfig config, int? endOfTextId = null)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["model_type"] = ModelType,
            ["vocab_size"] = config.VocabSize,
            ["n_positions"] = config.BlockSize,
            ["n_ctx"] = config.BlockSize,
            ["n_embd"] = config.Embedding,
            ["n_layer"] = config.Layers,
            ["n_head"] = config.Heads,
            ["n_inner"] = null,
            ["activation_function"] = HuggingFaceActivation(config.Activation),
            // The model drops out the embeddings and each residual branch, never the attention weights.
            ["resid_pdrop"] = config.Dropout,
            ["embd_pdrop"] = config.Dropout,
            ["attn_pdrop"] = 0.0,
            ["layer_norm_epsilon"] = LayerNormEpsilon,
            ["initializer_range"] = 0.02,
            ["scale_attn_weights"] = true,
            ["scale_attn_by_inverse_layer_idx"] = false,
            ["reorder_and_upcast_attn"] = false,
            ["tie_word_embeddings"] = true,
            ["use_cache"] = true,
            ["bos_token_id"] = endOfTextId,
            ["eos_token_id"] = endOfTextId,
            ["torch_dtype"] = "float32",
            [AttentionKey] = config.Attention,
            [BiasKey] = config.Bias,
        };
        if (!config.HasFeedForward) json[FeedForwardKey] = false;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Reads a GPT-2 config.json; throws an <see cref="InvalidDataException"/> naming <paramref name="source"/> and the
    /// field for a missing or malformed field, an unsupported setting, or a value outside <see cref="ModelLimits"/>.
    /// </summary>
    public static GptConfig Read(string json, string source)
    {
        JsonNode? root;
        // A key given twice is refused while parsing (JsonObject would otherwise throw on first use).
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: malformed GPT config ({e.Message})."); }
        if (root is not JsonObject o) throw new InvalidDataException($"{source}: a GPT config must be a JSON object.");
        string modelType = String(o, source, "model_type", null)
            ?? throw new InvalidDataException($"{source}: GPT config: model_type is missing (expected \"{ModelType}\", as transformers writes for GPT2LMHeadModel).");
        if (modelType != ModelType)
            throw new InvalidDataException($"{source}: GPT config: model_type '{modelType}' is not supported (only \"{ModelType}\").");
        int embedding = Int(o, source, "n_embd");
        double eps = Double(o, source, "layer_norm_epsilon", LayerNormEpsilon);
        Require(source, Math.Abs(eps - LayerNormEpsilon) <= 1e-12, $"layer_norm_epsilon {eps} is not supported (only 1e-05)");
        Require(source, o["n_inner"] is null || Int(o, source, "n_inner") == 4 * embedding, $"n_inner must be null or 4·n_embd ({4 * embedding})");
        Require(source, Bool(o, source, "scale_attn_weights", true), "scale_attn_weights false (unscaled attention) is not supported");
        Require(source, !Bool(o, source, "scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx true is not supported");
        Require(source, !Bool(o, source, "add_cross_attention", false), "add_cross_attention true is not supported");
        Require(source, Bool(o, source, "tie_word_embeddings", true), "tie_word_embeddings false (an untied output head) is not supported");
        var config = new GptConfig(
            Layers: Int(o, source, "n_layer"),
            Heads: Int(o, source, "n_head"),
            Embedding: embedding,
            BlockSize: Int(o, source, "n_positions"),
            VocabSize: Int(o, source, "vocab_size"),
            Dropout: (float)Double(o, source, "resid_pdrop", 0.1),
            Bias: Bool(o, source, BiasKey, true),
            Attention: String(o, source, AttentionKey, "full")!,
            Activation: Bool(o, source, FeedForwardKey, true) ? OurActivation(String(o, source, "activation_function", "gelu_new")!, source) : "none");
        try { return config.Validated(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
    }

    /// <summary>
    /// Our activation name as transformers' ACT2FN key: GPT-2's tanh GELU is "gelu_new", x·Φ(x) is "gelu", the identity
    /// "linear" (also written for none, whose zero MLP makes the activation moot).
    /// </summary>
    public static string HuggingFaceActivation(string activation) => activation == "none" ? "linear" : GptConfig.ParseActivation(activation) switch
    {
        Nn.Activation.Gelu => "gelu_new",
        Nn.Activation.GeluExact => "gelu",
        Nn.Activation.Relu => "relu",
        _ => "linear",
    };

    /// <summary>transformers' tanh-form GELUs (gelu_new, gelu_pytorch_tanh, gelu_fast: one formula) are our "gelu".</summary>
    private static string OurActivation(string name, string source) => name switch
    {
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => "gelu",
        "gelu" => "gelu_exact",
        "relu" => "relu",
        "linear" => "identity",
        _ => throw new InvalidDataException(
            $"{source}: GPT config: activation_function '{name}' is not supported (gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu or linear)."),
    };

    private static void Require(string source, bool ok, string what)
    {
        if (!ok) throw new InvalidDataException($"{source}: GPT config: {what}.");
    }

    private static int Int(JsonObject o, string source, string key) =>
        o[key] is JsonValue v && v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i) ? i
            : throw new InvalidDataException($"{source}: GPT config: {key} is {(o.ContainsKey(key) ? "not a 32-bit integer" : "missing")}.");

    private static double Double(JsonObject o, string source, string key, double absent) =>
        o[key] is null ? absent
            : o[key] is JsonValue v && v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble()
            : throw new InvalidDataException($"{source}: GPT config: {key} is not a number.");

    private static bool Bool(JsonObject o, string source, string key, bool absent) =>
        o[key] is null ? absent
            : o[key] is JsonValue v && v.TryGetValue(out JsonElement e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean()
            : throw new InvalidDataException($"{source}: GPT config: {key} is not true or false.");

    private static string? String(JsonObject o, string source, string key, string? absent) =>
        o[key] is null ? absent
            : o[key] is JsonValue v && v.TryGetValue(out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString()
            : throw new InvalidDataException($"{source}: GPT config: {key} is not a string.");
}
