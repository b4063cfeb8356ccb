namespace Sharpformer.Attention;

/// <summary>Looks attention variants up by the name a config uses.</summary>
public static class AttentionVariants
{
    public static IReadOnlyList<string> Names { get; } = ["full", "flash"];

    public static IAttentionVariant Create(string name) => name switch
    {
        "full" => new FullVariant(),
        "flash" => new FlashVariant(),
        _ => throw new ArgumentException($"Unknown attention variant '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
    };
}
