using System.Text.Json.Nodes;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Models;

/// <summary>
/// Writes a GPT-2 folder the way transformers' <c>GPT2LMHeadModel.save_pretrained</c> and the hub's gpt2 files have
/// it, independently of <c>GptCheckpoint.Save</c>: the hub's config.json fields (dropout 0.1, bos/eos 50256, no
/// Sharpformer keys), tensor names with the "transformer." prefix, the causal-mask buffers h.N.attn.bias of older
/// transformers versions, the tied lm_head.weight, "pt" metadata, and GPT-2's vocab.json + merges.txt.
/// </summary>
internal static class HuggingFaceGpt2Folder
{
    /// <summary>A model with biases drawn at random (not zero), so that the biases are checked too.</summary>
    public static Gpt RandomModel(int layers, int heads, int embedding, int positions, int vocab, ulong seed)
    {
        var model = new Gpt(new GptConfig(layers, heads, embedding, positions, vocab, Bias: true), seed);
        var rng = new Rng(seed + 1);
        foreach (var (name, p) in model.NamedParameters())
            if (name.EndsWith(".bias", StringComparison.Ordinal))
                for (int i = 0; i < p.Value.Size; i++) p.Value.Span[i] = (float)(0.02 * rng.NextNormal());
        return model;
    }

    public static string HubConfig(GptConfig c) => new JsonObject
    {
        ["activation_function"] = "gelu_new", ["architectures"] = new JsonArray("GPT2LMHeadModel"), ["attn_pdrop"] = 0.1,
        ["bos_token_id"] = 50256, ["embd_pdrop"] = 0.1, ["eos_token_id"] = 50256, ["initializer_range"] = 0.02,
        ["layer_norm_epsilon"] = 1e-05, ["model_type"] = "gpt2", ["n_ctx"] = c.BlockSize, ["n_embd"] = c.Embedding,
        ["n_head"] = c.Heads, ["n_inner"] = null, ["n_layer"] = c.Layers, ["n_positions"] = c.BlockSize,
        ["reorder_and_upcast_attn"] = false, ["resid_pdrop"] = 0.1, ["scale_attn_by_inverse_layer_idx"] = false,
        ["scale_attn_weights"] = true, ["summary_activation"] = null, ["summary_first_dropout"] = 0.1,
        ["summary_proj_to_labels"] = true, ["summary_type"] = "cls_index", ["summary_use_proj"] = true,
        ["task_specific_params"] = new JsonObject { ["text-generation"] = new JsonObject { ["do_sample"] = true, ["max_length"] = 50 } },
        ["transformers_version"] = "4.46.0", ["use_cache"] = true, ["vocab_size"] = c.VocabSize,
    }.ToJsonString();

    /// <summary>Writes <paramref name="model"/> into <paramref name="dir"/>; <paramref name="edit"/> may change the tensors first.</summary>
    public static string Write(string dir, Gpt model, BpeTokenizer tokenizer, Action<Dictionary<string, Tensor>>? edit = null)
    {
        Directory.CreateDirectory(dir);
        var c = model.Config;
        var tensors = Gpt2Weights.Export(model).ToDictionary(t => "transformer." + t.Name, t => t.Tensor);
        for (int l = 0; l < c.Layers; l++)
        {
            var mask = new Tensor(1, 1, c.BlockSize, c.BlockSize);
            for (int i = 0; i < c.BlockSize; i++)
            for (int j = 0; j <= i; j++) mask.Span[i * c.BlockSize + j] = 1;
            tensors[$"transformer.h.{l}.attn.bias"] = mask;
        }
        var head = new Tensor(c.VocabSize, c.Embedding);
        model.TokenEmbedding.Weight.Value.Span.CopyTo(head.Span);
        tensors["lm_head.weight"] = head;
        edit?.Invoke(tensors);
        SafeTensors.Save(Path.Combine(dir, "model.safetensors"), tensors.Select(kv => (kv.Key, kv.Value)), new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(dir, "config.json"), HubConfig(c));
        tokenizer.SaveVocabAndMerges(dir);
        return dir;
    }
}
