namespace Sharpformer.Data.EnRu;

/// <summary>
/// A Russian adjective declined for gender and case from its masculine nominative: hard (старый, молодой), velar
/// (маленький, высокий), sibilant (хороший, большой) and soft (синий) stems, with the spelling rules
/// (ы → и after velars and sibilants; unstressed о → е after sibilants). A stressed -ой ending (молодой, большой)
/// keeps о. The masculine accusative is the genitive (-ого/-его) when the noun is animate.
/// </summary>
internal sealed record RussianAdjective
{
    public string MasculineNominative { get; }
    private readonly string _stem;
    private readonly Kind _kind;
    private readonly bool _endStressed;

    private enum Kind { Hard, Velar, Sibilant, Soft }

    public RussianAdjective(string masculineNominative)
    {
        if (masculineNominative is not { Length: > 2 } m || !(m.EndsWith("ый") || m.EndsWith("ий") || m.EndsWith("ой")))
            throw new ArgumentException($"'{masculineNominative}' is not a masculine adjective ending in -ый, -ий or -ой.", nameof(masculineNominative));
        MasculineNominative = m;
        _stem = m[..^2];
        _endStressed = m.EndsWith("ой");
        char last = _stem[^1];
        _kind = RussianLetters.IsVelar(last) ? Kind.Velar
            : RussianLetters.IsSibilant(last) ? Kind.Sibilant
            : m.EndsWith("ий") ? Kind.Soft
            : Kind.Hard;
    }

    /// <summary>The form agreeing with a noun of this gender and animacy in this case.</summary>
    public string Form(RussianCase c, Agreement gender, bool animate)
    {
        bool soft = _kind == Kind.Soft;
        // The о of an ending becomes е after a soft stem, or after a sibilant when unstressed.
        bool oToE = soft || (_kind == Kind.Sibilant && !_endStressed);
        // ы becomes и after soft, velar and sibilant stems.
        string y = _kind == Kind.Hard ? "ы" : "и";
        return (gender, c) switch
        {
            (Agreement.Masculine, RussianCase.Nominative) => MasculineNominative,
            (Agreement.Masculine, RussianCase.Accusative) => animate ? _stem + (oToE ? "его" : "ого") : MasculineNominative,
            (Agreement.Masculine or Agreement.Neuter, RussianCase.Instrumental) => _stem + y + "м",
            (Agreement.Feminine, RussianCase.Nominative) => _stem + (soft ? "яя" : "ая"),
            (Agreement.Feminine, RussianCase.Accusative) => _stem + (soft ? "юю" : "ую"),
            (Agreement.Feminine, RussianCase.Instrumental) => _stem + (oToE ? "ей" : "ой"),
            (Agreement.Neuter, RussianCase.Nominative or RussianCase.Accusative) => _stem + (oToE ? "ее" : "ое"),
            _ => throw new ArgumentException($"No singular form of '{MasculineNominative}' for {gender} {c}.", nameof(gender)),
        };
    }
}
