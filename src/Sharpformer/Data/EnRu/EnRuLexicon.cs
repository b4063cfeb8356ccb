namespace Sharpformer.Data.EnRu;

/// <summary>
/// The words of the built-in English→Russian corpus. English forms are unambiguous so that every English sentence
/// has one Russian translation: gender-neutral English nouns (teacher, doctor) take the masculine Russian noun;
/// gendered ones (actress, waitress) and names carry their gender.
/// </summary>
internal sealed class EnRuLexicon
{
    public IReadOnlyList<EnRuNoun> Names { get; }
    public IReadOnlyList<EnRuNoun> People { get; }
    public IReadOnlyList<EnRuNoun> Animals { get; }
    public IReadOnlyList<EnRuNoun> Things { get; }
    public IReadOnlyList<EnRuNoun> Instruments { get; }
    public IReadOnlyList<EnRuPronoun> Pronouns { get; }
    public IReadOnlyList<EnRuVerb> Verbs { get; }
    public IReadOnlyList<EnRuAdjective> Adjectives { get; }
    public IReadOnlyList<EnRuTime> Times { get; }

    public EnRuLexicon(IReadOnlyList<EnRuNoun> names, IReadOnlyList<EnRuNoun> people, IReadOnlyList<EnRuNoun> animals,
        IReadOnlyList<EnRuNoun> things, IReadOnlyList<EnRuNoun> instruments, IReadOnlyList<EnRuPronoun> pronouns,
        IReadOnlyList<EnRuVerb> verbs, IReadOnlyList<EnRuAdjective> adjectives, IReadOnlyList<EnRuTime> times)
    {
        (Names, People, Animals, Things, Instruments, Pronouns, Verbs, Adjectives, Times) =
            (names, people, animals, things, instruments, pronouns, verbs, adjectives, times);
        if (names.Count + people.Count + animals.Count == 0 || instruments.Count == 0 || verbs.Count == 0)
            throw new ArgumentException("A lexicon needs animate nouns, instruments and verbs.", nameof(names));
    }

    /// <summary>A noun by its English form (names, people, animals, things, instruments).</summary>
    public EnRuNoun Noun(string english) =>
        Names.Concat(People).Concat(Animals).Concat(Things).Concat(Instruments).FirstOrDefault(n => n.English == english)
        ?? throw new ArgumentException($"No noun '{english}' in the lexicon.", nameof(english));

    public EnRuVerb Verb(string englishPast) =>
        Verbs.FirstOrDefault(v => v.Past == englishPast) ?? throw new ArgumentException($"No verb '{englishPast}' in the lexicon.", nameof(englishPast));

    public EnRuAdjective Adjective(string english) =>
        Adjectives.FirstOrDefault(a => a.English == english) ?? throw new ArgumentException($"No adjective '{english}' in the lexicon.", nameof(english));

    public EnRuPronoun Pronoun(string nominative) =>
        Pronouns.FirstOrDefault(p => p.Nominative == nominative) ?? throw new ArgumentException($"No pronoun '{nominative}' in the lexicon.", nameof(nominative));

    public EnRuTime Time(string english) =>
        Times.FirstOrDefault(t => t.English == english) ?? throw new ArgumentException($"No time '{english}' in the lexicon.", nameof(english));

    /// <summary>The built-in lexicon (see docs/builtin-corpus.md).</summary>
    public static EnRuLexicon Default { get; } = EnRuDefaultLexicon.Create();
}
