using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// A <see cref="Gpt"/>'s parameters under GPT-2's tensor names and layouts, as transformers' GPT2LMHeadModel saves
/// them: wte, wpe, h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}, ln_f. GPT-2's projections are
/// Conv1D layers whose weight is stored (in, out), the transpose of a Linear's (out, in); c_attn holds q, k and v
/// side by side, as the model's fused qkv projection does. The output head is tied to wte and not stored. A model
/// without biases writes zero biases (GPT-2 always has them), so the folder loads in transformers as it is. A model
/// with merged query–key attention (sharpformer_attention "merged-qk") has no c_attn, whose q and k transformers
/// would read: it stores its M_1 … M_nh as h.N.attn.sharpformer_qk.weight (C, nh·C) and W_v as
/// h.N.attn.sharpformer_v.{weight (C, C), bias}, both (in, out) like the Conv1D weights; transformers cannot run it.
/// </summary>
internal static class Gpt2Weights
{
    /// <summary>Prefix of the names that <c>GPT2LMHeadModel.save_pretrained</c> writes (the hub's gpt2 files have none).</summary>
    public const string ModelPrefix = "transformer.";

    /// <summary>One stored tensor: its name, its stored shape, whether it is the transpose of the parameter, and the parameter.</summary>
    internal sealed record Slot(string Name, int[] Shape, bool Transposed, bool IsBias, Func<Gpt, Variable?> Parameter);

    /// <summary>The stored tensors of a model of this shape, in the order transformers writes them.</summary>
    internal static IReadOnlyList<Slot> Slots(GptConfig config)
    {
        int c = config.Embedding, v = config.VocabSize, t = config.BlockSize;
        bool merged = Attention.AttentionVariants.Create(config.Attention).MergesQueryKey;
        var slots = new List<Slot>
        {
            new("wte.weight", [v, c], false, false, m => m.TokenEmbedding.Weight),
            new("wpe.weight", [t, c], false, false, m => m.PositionEmbedding.Weight),
        };
        for (int l = 0; l < config.Layers; l++)
        {
            int layer = l;
            string h = $"h.{l}.";
            Norm(slots, h + "ln_1", c, m => m.Blocks[layer].Ln1);
            if (merged)
            {
                slots.Add(new(h + "attn.sharpformer_qk.weight", [c, config.Heads * c], true, false, m => m.Blocks[layer].Attn.QueryKey!.Weight));
                Conv1D(slots, h + "attn.sharpformer_v", c, c, m => m.Blocks[layer].Attn.Value);
            }
            else Conv1D(slots, h + "attn.c_attn", c, 3 * c, m => m.Blocks[layer].Attn.Qkv);
            Conv1D(slots, h + "attn.c_proj", c, c, m => m.Blocks[layer].Attn.Proj);
            // A block without a feed-forward layer (activation none) stores a zero MLP, whose output is exactly 0.
            Norm(slots, h + "ln_2", c, m => m.Blocks[layer].Ln2);
            Conv1D(slots, h + "mlp.c_fc", c, 4 * c, m => m.Blocks[layer].Mlp?.Up);
            Conv1D(slots, h + "mlp.c_proj", 4 * c, c, m => m.Blocks[layer].Mlp?.Down);
        }
        Norm(slots, "ln_f", c, m => m.FinalNorm);
        return slots;
    }

    private static void Norm(List<Slot> slots, string name, int c, Func<Gpt, Nn.LayerNorm?> norm)
    {
        slots.Add(new(name + ".weight", [c], false, false, m => norm(m)?.Weight));
        slots.Add(new(name + ".bias", [c], false, true, m => norm(m)?.Bias));
    }

    // Conv1D (in, out) = Linear (out, in) transposed.
    private static void Conv1D(List<Slot> slots, string name, int inFeatures, int outFeatures, Func<Gpt, Nn.Linear?> linear)
    {
        slots.Add(new(name + ".weight", [inFeatures, outFeatures], true, false, m => linear(m)?.Weight));
        slots.Add(new(name + ".bias", [outFeatures], false, true, m => linear(m)?.Bias));
    }

    /// <summary>
    /// Tensors a GPT-2 file may hold besides the weights, which carry no learned values: the causal-mask buffers
    /// (h.N.attn.bias, h.N.attn.masked_bias) of older transformers versions and the tied lm_head.weight.
    /// </summary>
    public static bool IsIgnored(string name)
    {
        if (name == "lm_head.weight") return true;
        if (!name.StartsWith("h.", StringComparison.Ordinal)) return false;
        int dot = name.IndexOf('.', 2);
        return dot > 2 && name[2..dot].All(char.IsAsciiDigit) && name[dot..] is ".attn.bias" or ".attn.masked_bias";
    }

    /// <summary>A stored name without the "transformer." prefix that save_pretrained adds.</summary>
    public static string Unprefixed(string name) => name.StartsWith(ModelPrefix, StringComparison.Ordinal) ? name[ModelPrefix.Length..] : name;

    /// <summary>The model's tensors under GPT-2's names, each a fresh copy in GPT-2's layout.</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Export(Gpt model) => Export(model, p => p.Value);

    /// <summary>The parameters' gradients under GPT-2's names and layouts (to compare with PyTorch's).</summary>
    internal static IEnumerable<(string Name, Tensor Tensor)> ExportGradients(Gpt model) => Export(model, p => p.Grad!);

    private static IEnumerable<(string Name, Tensor Tensor)> Export(Gpt model, Func<Variable, Tensor> pick)
    {
        foreach (var slot in Slots(model.Config))
        {
            var stored = new Tensor(slot.Shape);
            if (slot.Parameter(model) is { } p)
            {
                if (slot.Transposed) Transpose(pick(p).Span, stored.Span, p.Shape[0], p.Shape[1]);
                else pick(p).Span.CopyTo(stored.Span);
            }
            yield return (slot.Name, stored);
        }
    }

    /// <summary>
    /// Checks a weights file's header against the tensors <paramref name="config"/> needs, before anything is read: each
    /// present with its shape, nothing else but <see cref="IsIgnored"/> tensors. Throws naming the file and the tensor.
    /// </summary>
    public static void CheckHeader(SafeTensorsHeader header, GptConfig config, string configPath)
    {
        var stored = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        foreach (var entry in header.Entries)
            if (!stored.TryAdd(Unprefixed(entry.Name), entry))
                throw new InvalidDataException($"{header.Path}: tensor '{Unprefixed(entry.Name)}' is stored twice, with and without the '{ModelPrefix}' prefix.");
        var needed = Slots(config);
        foreach (var slot in needed)
        {
            if (!stored.TryGetValue(slot.Name, out var entry))
                throw new InvalidDataException($"{header.Path}: missing tensor '{slot.Name}' {ShapeOf.Format(slot.Shape)} that {configPath} implies.");
            if (!ShapeOf.Equal(entry.Shape, slot.Shape))
                throw new InvalidDataException($"{header.Path}: tensor '{entry.Name}' has shape {ShapeOf.Format(entry.Shape)}, {configPath} implies {ShapeOf.Format(slot.Shape)}.");
        }
        var known = needed.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (stored.Keys.FirstOrDefault(name => !known.Contains(name) && !IsIgnored(name)) is { } extra)
            throw new InvalidDataException($"{header.Path}: tensor '{stored[extra].Name}' is not part of the GPT-2 model that {configPath} describes " +
                $"(n_layer {config.Layers}); the config and the weights do not belong together.");
    }

    /// <summary>True when every bias tensor of <paramref name="tensors"/> is zero: a model saved without biases.</summary>
    public static bool BiasesAreZero(IReadOnlyDictionary<string, Tensor> tensors, GptConfig config) =>
        Slots(config).Where(s => s.IsBias).All(s => !tensors[s.Name].Span.ContainsAnyExcept(0f));

    /// <summary>
    /// Copies <paramref name="tensors"/> (names without the "transformer." prefix, shapes checked by
    /// <see cref="CheckHeader"/>) into <paramref name="model"/>; a bias-free model takes no bias tensor.
    /// </summary>
    public static void Import(Gpt model, IReadOnlyDictionary<string, Tensor> tensors)
    {
        foreach (var slot in Slots(model.Config))
        {
            if (slot.Parameter(model) is not { } p) continue;
            var source = tensors[slot.Name].Span;
            if (slot.Transposed) Transpose(source, p.Value.Span, slot.Shape[0], slot.Shape[1]);
            else source.CopyTo(p.Value.Span);
        }
    }

    // source (rows, columns) -> destination (columns, rows)
    private static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < columns; c++)
            destination[c * rows + r] = source[r * columns + c];
    }
}
