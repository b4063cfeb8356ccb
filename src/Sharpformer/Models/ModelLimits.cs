using Sharpformer.Tensors;

namespace Sharpformer.Models;

/// <summary>
/// Stated bounds on the fields of a model config, checked by each config's Validated() before anything is allocated,
/// and the memory a model needs: a config.json asking for 200,000 layers is refused with a message, not by the
/// operating system after minutes of allocation.
/// </summary>
internal static class ModelLimits
{
    public const int MaxLayers = 1_000;
    public const int MaxHeads = 1_024;
    public const int MaxEmbedding = 65_536;
    public const int MaxHidden = 262_144;
    /// <summary>Longest context (block_size, max_length).</summary>
    public const int MaxLength = 1 << 20;
    public const int MaxVocabSize = 1 << 22;
    public const int MaxClasses = 1 << 16;

    /// <summary>Building a model allocates each parameter's value and gradient (fp32 each).</summary>
    public const int BytesPerParameter = 8;

    /// <summary>Loading one also holds the weights file's copy of each parameter until it is copied in.</summary>
    public const int BytesPerLoadedParameter = 12;

    internal static void RequireRange(string kind, string field, int value, int min, int max)
    {
        if (value < min || value > max) throw new ArgumentException($"{kind}: {field} must be in [{min}, {max:N0}], got {value:N0}.");
    }

    /// <summary>One parameter tensor must fit one array.</summary>
    internal static void RequireTensor(string kind, string what, long rows, long columns)
    {
        long elements = rows * columns; // both ≤ 2^22 after the range checks: no overflow
        if (elements > Array.MaxLength)
            throw new ArgumentException($"{kind}: {what} would be a {rows:N0} × {columns:N0} matrix, more than one array holds ({Array.MaxLength:N0} values).");
    }

    /// <summary>Throws when <paramref name="parameters"/> (plus <paramref name="extraBytes"/>) exceed the machine's memory.</summary>
    public static void RequireMemory(string kind, long parameters, int bytesPerParameter, long extraBytes = 0)
    {
        long bytes = checked(parameters * bytesPerParameter + extraBytes);
        try
        {
            MemoryBudget.Require(bytes, $"{kind}: the model", $"{parameters:N0} parameters × {bytesPerParameter} bytes" +
                (bytesPerParameter == BytesPerLoadedParameter ? " for value, gradient and the file's copy" : " for value and gradient") +
                (extraBytes > 0 ? $" + {MemoryBudget.Format(extraBytes)}" : ""));
        }
        catch (InvalidDataException e) { throw new ArgumentException(e.Message); }
    }

    /// <summary>The <c>mergedHeads</c> of <see cref="BlockParameters"/>: <paramref name="heads"/> for merged query–key attention, else 0.</summary>
    internal static int MergedHeads(string attention, int heads) => Attention.AttentionVariants.Create(attention).MergesQueryKey ? heads : 0;

    /// <summary>
    /// Parameters of one pre-LN block (see Nn.TransformerBlock) of width <paramref name="c"/> and MLP width
    /// <paramref name="hidden"/>; with <paramref name="mergedHeads"/> &gt; 0, merged query–key attention of that many heads.
    /// </summary>
    internal static long BlockParameters(long c, long hidden, bool bias, bool crossAttention, bool feedForward = true, int mergedHeads = 0)
    {
        long b = bias ? 1 : 0;
        long norm = c + b * c;
        long attention = mergedHeads > 0
            ? mergedHeads * c * c + 2 * c * c + b * 2 * c            // qk (nh·C, C) without bias + v (C, C) + proj (C, C)
            : 4 * c * c + b * 4 * c;                                 // qkv (3C, C) + proj (C, C), or q (C, C) + kv (2C, C) + proj (C, C)
        long cross = crossAttention ? norm + attention : 0;          // ln_cross + the same attention
        long mlp = 2 * c * hidden + b * (hidden + c);                // up (H, C) + down (C, H)
        return norm + attention + cross + (feedForward ? norm + mlp : 0);
    }
}
