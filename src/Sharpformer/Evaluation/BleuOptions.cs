namespace Sharpformer.Evaluation;

/// <summary>
/// How BLEU is computed. The defaults are sacreBLEU's corpus defaults: 13a tokenization, case-sensitive,
/// n-grams up to 4, exp smoothing, no effective order.
/// </summary>
internal sealed record BleuOptions
{
    public BleuTokenizer Tokenizer { get; init; } = BleuTokenizer.Mteval13a;

    /// <summary>Lowercase hypotheses and references before tokenizing.</summary>
    public bool Lowercase { get; init; }

    public SmoothingMethod Smoothing { get; init; } = SmoothingMethod.Exp;

    /// <summary>The value for floor and add-k smoothing; null takes the method's default (0.1 and 1).</summary>
    public double? SmoothValue { get; init; }

    public int MaxNgramOrder { get; init; } = 4;

    /// <summary>
    /// Average only over the orders the hypothesis has n-grams of (stop at the first order with none), instead of
    /// always over <see cref="MaxNgramOrder"/>. sacreBLEU recommends it for sentence-level BLEU only.
    /// </summary>
    public bool EffectiveOrder { get; init; }

    /// <summary>sacreBLEU's corpus-level defaults.</summary>
    public static BleuOptions Corpus { get; } = new();

    /// <summary>The settings sacreBLEU recommends for one sentence: the corpus defaults with effective order.</summary>
    public static BleuOptions Sentence { get; } = new() { EffectiveOrder = true };

    internal void Validate()
    {
        if (Tokenizer is null) throw new ArgumentException("BLEU options need a tokenizer.", nameof(Tokenizer));
        if (MaxNgramOrder < 1) throw new ArgumentException($"MaxNgramOrder must be at least 1, got {MaxNgramOrder}.", nameof(MaxNgramOrder));
        if (SmoothValue is double v && (double.IsNaN(v) || v < 0))
            throw new ArgumentException($"SmoothValue must be a non-negative number, got {v}.", nameof(SmoothValue));
        _ = Smoothing.Name();
    }
}
