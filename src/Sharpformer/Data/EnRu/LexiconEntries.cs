namespace Sharpformer.Data.EnRu;

/// <summary>What a noun names; decides which adjectives and verbs it goes with.</summary>
internal enum NounKind { Name, Person, Animal, Thing }

/// <summary>Which objects a verb takes.</summary>
internal enum ObjectKind { Animate, Inanimate, Any }

/// <summary>A noun: its English form (also its key in the lexicon) and its Russian declension.</summary>
internal sealed record EnRuNoun(string English, RussianNoun Russian, NounKind Kind)
{
    public bool Animate => Kind != NounKind.Thing;
}

/// <summary>
/// A personal pronoun: English subject and object forms, Russian nominative and accusative, and what a verb agrees
/// with. <see cref="CanBeSubject"/> is false for "I", whose Russian past tense would need a gender the English
/// does not show.
/// </summary>
internal sealed record EnRuPronoun(string Nominative, string Objective, string RussianNominative, string RussianAccusative,
    Agreement Agreement, bool CanBeSubject = true)
{
    /// <summary>English "was" or "were" with this pronoun as subject.</summary>
    public string Be => Nominative is "we" or "they" or "you" ? "were" : "was";
}

/// <summary>A transitive verb: English past, past participle and base forms, Russian past tense.</summary>
internal sealed record EnRuVerb(string Past, string Participle, string Base, RussianVerb Russian, ObjectKind Objects)
{
    public bool Accepts(EnRuNoun noun) => Objects switch
    {
        ObjectKind.Animate => noun.Animate,
        ObjectKind.Inanimate => !noun.Animate,
        _ => true,
    };
}

/// <summary>An adjective and the kinds of noun it is used with.</summary>
internal sealed record EnRuAdjective(string English, RussianAdjective Russian, bool ForPeople, bool ForThings)
{
    public bool Fits(EnRuNoun noun) => noun.Kind switch
    {
        NounKind.Name => false,
        NounKind.Thing => ForThings,
        _ => ForPeople,
    };
}

/// <summary>A time adverbial: English at the end of the sentence, Russian at its start.</summary>
internal sealed record EnRuTime(string English, string Russian);
