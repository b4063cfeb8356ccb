namespace Sharpformer.Evaluation;

/// <summary>
/// How chrF is computed. The defaults are sacreBLEU's chrF2: character n-grams up to 6, no word n-grams, β = 2,
/// case-sensitive, whitespace removed before counting, effective-order averaging (no epsilon smoothing).
/// Set <see cref="WordOrder"/> to 2 for chrF++.
/// </summary>
internal sealed record ChrFOptions
{
    public int CharOrder { get; init; } = 6;

    /// <summary>Word n-gram orders added to the character orders; 2 gives chrF++.</summary>
    public int WordOrder { get; init; }

    /// <summary>Weight of recall relative to precision.</summary>
    public int Beta { get; init; } = 2;

    public bool Lowercase { get; init; }

    /// <summary>Keep whitespace characters inside character n-grams (sacreBLEU's `whitespace`, off by default).</summary>
    public bool IncludeWhitespace { get; init; }

    /// <summary>
    /// Average per-order F-scores with ε for empty orders, as chrF++.py, NLTK and Moses do; off by default, when
    /// precision and recall are averaged over the orders both sides have n-grams of (sacreBLEU's default).
    /// </summary>
    public bool EpsSmoothing { get; init; }

    /// <summary>sacreBLEU's chrF2 defaults.</summary>
    public static ChrFOptions ChrF2 { get; } = new();

    /// <summary>chrF++: chrF2 plus word unigrams and bigrams.</summary>
    public static ChrFOptions ChrFPlusPlus { get; } = new() { WordOrder = 2 };

    internal void Validate()
    {
        if (CharOrder < 0) throw new ArgumentException($"CharOrder must be non-negative, got {CharOrder}.", nameof(CharOrder));
        if (WordOrder < 0) throw new ArgumentException($"WordOrder must be non-negative, got {WordOrder}.", nameof(WordOrder));
        if (CharOrder + WordOrder == 0) throw new ArgumentException("CharOrder + WordOrder must be positive.", nameof(CharOrder));
        if (Beta < 0) throw new ArgumentException($"Beta must be non-negative, got {Beta}.", nameof(Beta));
    }
}
