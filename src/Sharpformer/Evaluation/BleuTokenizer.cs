namespace Sharpformer.Evaluation;

/// <summary>
/// A tokenizer applied to hypotheses and references before BLEU counts n-grams. The result is a string whose
/// whitespace-separated words are the tokens, as in sacreBLEU, so tokenizers compose with its n-gram code.
/// </summary>
internal abstract class BleuTokenizer
{
    /// <summary>The name sacreBLEU uses for this tokenizer (`13a`, `none`, `intl`, `char`); also its signature.</summary>
    public abstract string Name { get; }

    /// <summary>Tokenizes one segment; the tokens are the words of the result, separated by spaces.</summary>
    public abstract string Tokenize(string line);

    /// <summary>mteval-v13a, the WMT standard and sacreBLEU's default.</summary>
    public static BleuTokenizer Mteval13a { get; } = new Tokenizer13a();

    /// <summary>No tokenization: the segment is split on whitespace only.</summary>
    public static BleuTokenizer None { get; } = new TokenizerNone();

    /// <summary>mteval-v14 international: splits Unicode punctuation and symbols.</summary>
    public static BleuTokenizer International { get; } = new TokenizerIntl();

    /// <summary>Every non-space character is a token (for languages without spaces).</summary>
    public static BleuTokenizer Character { get; } = new TokenizerChar();

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["13a", "none", "intl", "char"];

    /// <summary>The tokenizer for a sacreBLEU name; throws naming the accepted ones for any other.</summary>
    public static BleuTokenizer Parse(string name) => name switch
    {
        "13a" => Mteval13a,
        "none" => None,
        "intl" => International,
        "char" => Character,
        _ => throw new ArgumentException($"Unknown BLEU tokenizer '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
    };

    public override string ToString() => Name;
}
