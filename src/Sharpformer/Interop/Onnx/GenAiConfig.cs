using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Interop.Onnx;

/// <summary>
/// genai_config.json for ONNX Runtime GenAI: the decoder's file, its input and output names and its shape
/// (layers, heads, head size), the context length, the special token ids, and greedy search up to the context
/// length. The model type is "decoder" — GenAI's generic decoder-only model, whose cache is one key and one
/// value tensor per layer (its "gpt2" type expects the older combined past_N tensors instead). The past and
/// present buffers are not shared: present is past with the new positions concatenated, so it grows.
/// </summary>
internal static class GenAiConfig
{
    public static string ToJson(GptConfig c, ITokenizer? tokenizer)
    {
        int? endOfText = EndOfTextId(tokenizer);
        var decoder = new JsonObject
        {
            ["session_options"] = new JsonObject { ["log_id"] = "onnxruntime-genai", ["provider_options"] = new JsonArray() },
            ["filename"] = OnnxDecoderNames.ModelFile,
            ["head_size"] = c.HeadSize,
            ["hidden_size"] = c.Embedding,
            ["inputs"] = new JsonObject
            {
                ["input_ids"] = OnnxDecoderNames.InputIds,
                ["attention_mask"] = OnnxDecoderNames.AttentionMask,
                ["position_ids"] = OnnxDecoderNames.PositionIds,
                ["past_key_names"] = OnnxDecoderNames.PastKeyPattern,
                ["past_value_names"] = OnnxDecoderNames.PastValuePattern,
            },
            ["outputs"] = new JsonObject
            {
                ["logits"] = OnnxDecoderNames.Logits,
                ["present_key_names"] = OnnxDecoderNames.PresentKeyPattern,
                ["present_value_names"] = OnnxDecoderNames.PresentValuePattern,
            },
            ["num_attention_heads"] = c.Heads,
            ["num_hidden_layers"] = c.Layers,
            ["num_key_value_heads"] = c.Heads,
        };
        var root = new JsonObject
        {
            ["model"] = new JsonObject
            {
                // Without an end-of-text token nothing ends generation but max_length (GenAI takes a list of
                // end ids, and wants every id given to be in the vocabulary); padding is masked, so any id serves.
                ["bos_token_id"] = endOfText ?? 0,
                ["context_length"] = c.BlockSize,
                ["decoder"] = decoder,
                ["eos_token_id"] = endOfText is int eos ? new JsonArray(eos) : new JsonArray(),
                ["pad_token_id"] = endOfText ?? 0,
                ["type"] = "decoder",
                ["vocab_size"] = c.VocabSize,
            },
            ["search"] = new JsonObject
            {
                ["diversity_penalty"] = 0.0,
                ["do_sample"] = false,
                ["early_stopping"] = true,
                ["length_penalty"] = 1.0,
                ["max_length"] = c.BlockSize,
                ["min_length"] = 0,
                ["no_repeat_ngram_size"] = 0,
                ["num_beams"] = 1,
                ["num_return_sequences"] = 1,
                ["past_present_share_buffer"] = false,
                ["repetition_penalty"] = 1.0,
                ["temperature"] = 1.0,
                ["top_k"] = 1,
                ["top_p"] = 1.0,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The id of &lt;|endoftext|&gt; (or else the first special token) of a BPE tokenizer; null when it has none.</summary>
    private static int? EndOfTextId(ITokenizer? tokenizer)
    {
        if (tokenizer is not BpeTokenizer bpe || bpe.SpecialTokens.Count == 0) return null;
        return bpe.SpecialTokens.TryGetValue("<|endoftext|>", out int id) ? id : bpe.SpecialTokens.Values.Min();
    }
}
