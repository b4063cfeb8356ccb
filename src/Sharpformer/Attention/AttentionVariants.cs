using Sharpformer.Kernels;

namespace Sharpformer.Attention;

/// <summary>
/// Looks attention variants up by the name a config uses: <c>full</c>, <c>flash</c>,
/// <c>window[:W[:G[:R]]]</c> (window W, G global tokens, R random key tiles), <c>topk[:N[:L[:bound]]]</c>
/// (N chosen key tiles plus L local ones, chosen by mean key or by upper bound), <c>lsh[:B[:C[:R]]]</c> (B buckets, chunks of C, R rounds)
/// <c>parameter-free</c> (softmax(X·Xᵀ/√hs)·X, no learned queries, keys or values) and <c>merged-qk</c>
/// (scores X·M_h·Xᵀ/√hs with one learned C × C matrix per head in place of W_q and W_k).
/// </summary>
internal static class AttentionVariants
{
    public static IReadOnlyList<string> Names { get; } = ["full", "flash", "window[:W[:G[:R]]]", "topk[:N[:L[:bound]]]", "lsh[:B[:C[:R]]]", "parameter-free", "merged-qk"];

    public static IAttentionVariant Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split(':');
        return (parts[0], parts.Length) switch
        {
            ("full", 1) => new FullVariant(),
            ("flash", 1) => new FlashVariant(),
            ("parameter-free", 1) => new ParameterFreeVariant(),
            ("merged-qk", 1) => new MergedQueryKeyVariant(),
            ("window", <= 4) => new WindowVariant(
                window: Number(parts, 1, 256, name), globalTokens: Number(parts, 2, 0, name), randomBlocks: Number(parts, 3, 0, name)),
            ("topk", <= 3) => new TopKVariant(topBlocks: Number(parts, 1, 8, name), localBlocks: Number(parts, 2, 1, name)),
            ("topk", 4) when parts[3] == "bound" => new TopKVariant(topBlocks: Number(parts, 1, 8, name), localBlocks: Number(parts, 2, 1, name),
                estimate: TopKEstimate.UpperBound),
            ("lsh", <= 4) => new LshVariant(
                buckets: Number(parts, 1, 16, name), chunkSize: Number(parts, 2, 64, name), rounds: Number(parts, 3, 2, name)),
            _ => throw new ArgumentException($"Unknown attention variant '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    private static int Number(string[] parts, int index, int fallback, string name)
    {
        if (index >= parts.Length) return fallback;
        if (int.TryParse(parts[index], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value))
            return value;
        throw new ArgumentException($"Attention variant '{name}': part {index + 1} ('{parts[index]}') must be a non-negative integer.", nameof(name));
    }
}
