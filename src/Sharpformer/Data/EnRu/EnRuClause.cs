namespace Sharpformer.Data.EnRu;

/// <summary>
/// Which constituent the English sentence puts in focus; it decides the Russian word order, so the order is
/// predictable from the English.
/// </summary>
public enum Construction   // public: test theories take it as a parameter
{
    /// <summary>"Petya hit Vasya with a shovel." → "Петя ударил Васю лопатой." (S V O I)</summary>
    Plain,

    /// <summary>"Vasya was hit by Petya with a shovel." → "Васю ударил Петя лопатой." (O V S I)</summary>
    Passive,

    /// <summary>"It was with a shovel that Petya hit Vasya." → "Лопатой Петя ударил Васю." (I S V O)</summary>
    InstrumentFocus,

    /// <summary>"It was Petya who hit Vasya with a shovel." → "Васю лопатой ударил Петя." (O I V S: focus last)</summary>
    SubjectFocus,

    /// <summary>"It was Vasya that Petya hit with a shovel." → "Петя ударил лопатой Васю." (S V I O: focus last)</summary>
    ObjectFocus,
}

/// <summary>
/// One sentence of the built-in corpus as structure: who did what to whom with what, in which construction,
/// negated or not, and when. <see cref="English"/> and <see cref="Russian"/> render it; see docs/builtin-corpus.md.
/// </summary>
internal sealed record EnRuClause(
    Construction Construction,
    NounPhrase Subject,
    EnRuVerb Verb,
    NounPhrase Object,
    NounPhrase Instrument,
    bool Negated = false,
    EnRuTime? Time = null)
{
    public SentencePair ToPair() => new(English(), Russian());

    public string English()
    {
        string subject = Subject.English(objective: false), obj = Object.English(objective: true);
        string instrument = "with " + Instrument.EnglishIndefinite();
        string not = Negated ? "not " : "";
        string who = Subject.Noun?.Kind == NounKind.Animal ? "that" : "who";
        string sentence = Construction switch
        {
            Construction.Plain => Negated
                ? $"{subject} did not {Verb.Base} {obj} {instrument}"
                : $"{subject} {Verb.Past} {obj} {instrument}",
            Construction.Passive =>
                $"{Object.English(objective: false)} {Object.EnglishBe} {not}{Verb.Participle} by {Subject.English(objective: true)} {instrument}",
            Construction.InstrumentFocus => $"It was {not}{instrument} that {subject} {Verb.Past} {obj}",
            Construction.SubjectFocus => $"It was {not}{subject} {who} {Verb.Past} {obj} {instrument}",
            Construction.ObjectFocus => $"It was {not}{obj} that {subject} {Verb.Past} {instrument}",
            _ => throw new ArgumentException($"Unknown construction {Construction}.", nameof(Construction)),
        };
        if (Time is not null) sentence += " " + Time.English;
        return Capitalize(sentence) + ".";
    }

    public string Russian()
    {
        string s = Subject.Russian(RussianCase.Nominative), o = Object.Russian(RussianCase.Accusative);
        string i = Instrument.Russian(RussianCase.Instrumental), v = Verb.Russian.Past(Subject.Agreement);
        string not = Negated ? "не " : "";
        string sentence = Construction switch
        {
            Construction.Plain => $"{s} {not}{v} {o} {i}",
            Construction.Passive => $"{o} {not}{v} {s} {i}",
            Construction.InstrumentFocus => $"{not}{i} {s} {v} {o}",
            Construction.SubjectFocus => $"{o} {i} {v} {not}{s}",
            Construction.ObjectFocus => $"{s} {v} {i} {not}{o}",
            _ => throw new ArgumentException($"Unknown construction {Construction}.", nameof(Construction)),
        };
        if (Time is not null) sentence = Time.Russian + " " + sentence;
        return RussianLetters.Capitalize(sentence) + ".";
    }

    /// <summary>
    /// The word combinations this sentence contains, as keys: verb–instrument, subject–object and adjective–noun.
    /// The held-out splits consist of sentences with combinations that training never shows.
    /// </summary>
    public IEnumerable<string> Combinations()
    {
        yield return $"verb+instrument:{Verb.Past}|{Instrument.Key}";
        yield return $"subject+object:{Subject.Key}|{Object.Key}";
        foreach (var phrase in new[] { Subject, Object, Instrument })
            if (phrase.Adjective is not null) yield return $"adjective+noun:{phrase.Adjective.English}|{phrase.Key}";
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
