namespace Sharpformer.Data.EnRu;

/// <summary>
/// A handful of sentences that show the grammar at work — the shovel sentence first. The generator leaves them
/// out of every split (unless told otherwise), so a demonstration translates sentences the model never saw.
/// </summary>
internal static class EnRuShowcase
{
    /// <summary>The showcase clauses, in words of the default lexicon.</summary>
    public static IReadOnlyList<EnRuClause> Clauses()
    {
        var lex = EnRuLexicon.Default;
        NounPhrase N(string english, string? adjective = null) =>
            NounPhrase.Of(lex.Noun(english), adjective is null ? null : lex.Adjective(adjective));
        return
        [
            // Петя ударил Васю лопатой.
            new(Construction.Plain, N("Petya"), lex.Verb("hit"), N("Vasya"), N("shovel")),
            // Маша ударила Васю лопатой. (feminine agreement)
            new(Construction.Plain, N("Masha"), lex.Verb("hit"), N("Vasya"), N("shovel")),
            // Машу толкнул Петя палкой. (passive: object first)
            new(Construction.Passive, N("Petya"), lex.Verb("pushed"), N("Masha"), N("stick")),
            // Вчера молотком старый учитель разбудил кота. (instrument focus, time, adjective)
            new(Construction.InstrumentFocus, N("teacher", "old"), lex.Verb("woke"), N("cat"), N("hammer"), Time: lex.Time("yesterday")),
            // Маленького брата подушкой толкнула не Маша. (subject focus, negated, animate accusative adjective)
            new(Construction.SubjectFocus, N("Masha"), lex.Verb("pushed"), N("brother", "little"), N("pillow"), Negated: true),
            // Мальчик разбил камнем окно. (object focus, neuter object)
            new(Construction.ObjectFocus, N("boy"), lex.Verb("broke"), N("window"), N("stone")),
        ];
    }
}
