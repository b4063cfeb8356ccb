namespace Sharpformer.Data.EnRu;

/// <summary>
/// A Russian noun declined in the singular by the rules of the first three declensions:
/// <list type="bullet">
/// <item>-а/-я nouns of either gender (лопата, Петя, папа): accusative -у/-ю, instrumental -ой/-ей
/// (-ей after a sibilant or ц unless end-stressed, -ёй when a -я noun is end-stressed: Ильёй).</item>
/// <item>masculine consonant, -ь and -й nouns (стол, учитель, Андрей): accusative equals the genitive (-а/-я) when
/// animate and the nominative when not; instrumental -ом, or -ем after a soft stem or an unstressed sibilant/ц
/// (-ём when end-stressed: конём).</item>
/// <item>feminine -ь nouns (дверь, лошадь): accusative unchanged, instrumental -ью.</item>
/// <item>neuter -о/-е nouns (окно, полотенце): accusative unchanged, instrumental -ом/-ем.</item>
/// </list>
/// A fleeting vowel is given as the oblique stem (молоток → молотк-, отец → отц-); truly irregular forms
/// (мать → матерью) are given outright.
/// </summary>
internal sealed record RussianNoun
{
    public string Nominative { get; }
    public Agreement Gender { get; }
    public bool Animate { get; }
    public string Accusative { get; }
    public string Instrumental { get; }

    /// <param name="nominative">Dictionary form, lowercase unless a name.</param>
    /// <param name="gender">Masculine, Feminine or Neuter: what a past-tense verb agrees with.</param>
    /// <param name="animate">Whether a masculine non-а noun takes the genitive-like accusative.</param>
    /// <param name="obliqueStem">The stem of the other cases where a vowel drops out (молотк-).</param>
    /// <param name="endStressed">The ending is stressed: chooses -ом/-ой/-ём/-ёй after sibilants and soft stems.</param>
    /// <param name="accusative">An irregular accusative.</param>
    /// <param name="instrumental">An irregular instrumental.</param>
    public RussianNoun(string nominative, Agreement gender, bool animate, string? obliqueStem = null, bool endStressed = false,
        string? accusative = null, string? instrumental = null)
    {
        if (string.IsNullOrEmpty(nominative)) throw new ArgumentException("A noun needs a nominative form.", nameof(nominative));
        if (gender == Agreement.Plural) throw new ArgumentException($"'{nominative}': nouns here are singular; gender must be masculine, feminine or neuter.", nameof(gender));
        Nominative = nominative;
        Gender = gender;
        Animate = animate;
        var (acc, ins) = Decline(nominative, gender, animate, obliqueStem, endStressed);
        Accusative = accusative ?? acc;
        Instrumental = instrumental ?? ins;
    }

    public string Form(RussianCase c) => c switch
    {
        RussianCase.Nominative => Nominative,
        RussianCase.Accusative => Accusative,
        RussianCase.Instrumental => Instrumental,
        _ => throw new ArgumentException($"Unknown case {c}.", nameof(c)),
    };

    private static (string Accusative, string Instrumental) Decline(string nom, Agreement gender, bool animate, string? oblique, bool stressed)
    {
        char last = nom[^1];
        if (last is 'а' or 'я')
        {
            string stem = oblique ?? nom[..^1];
            if (last == 'я') return (stem + "ю", stem + (stressed ? "ёй" : "ей"));
            char stemLast = stem[^1];
            bool softens = (RussianLetters.IsSibilant(stemLast) || stemLast == 'ц') && !stressed;
            return (stem + "у", stem + (softens ? "ей" : "ой"));
        }
        switch (gender)
        {
            case Agreement.Masculine when !"оеёиыуюэ".Contains(last):
            {
                if (last is 'ь' or 'й')
                {
                    string stem = oblique ?? nom[..^1];
                    return (animate ? stem + "я" : nom, stem + (stressed ? "ём" : "ем"));
                }
                string hard = oblique ?? nom;
                char stemLast = hard[^1];
                bool softens = (RussianLetters.IsSibilant(stemLast) || stemLast == 'ц') && !stressed;
                return (animate ? hard + "а" : nom, hard + (softens ? "ем" : "ом"));
            }
            case Agreement.Feminine when last == 'ь':
                return (nom, (oblique ?? nom[..^1]) + "ью");
            case Agreement.Neuter when last is 'о' or 'е' or 'ё':
            {
                string stem = oblique ?? nom[..^1];
                return (nom, stem + (last == 'о' ? "ом" : "ем"));
            }
            default:
                throw new ArgumentException($"'{nom}' ({gender}) does not fit the declension rules; give its forms explicitly.", nameof(nom));
        }
    }
}
