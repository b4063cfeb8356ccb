namespace Sharpformer.Data.EnRu;

/// <summary>A participant of a clause: a noun with an optional adjective, or a pronoun.</summary>
internal sealed record NounPhrase
{
    public EnRuNoun? Noun { get; }
    public EnRuPronoun? Pronoun { get; }
    public EnRuAdjective? Adjective { get; }

    private NounPhrase(EnRuNoun? noun, EnRuPronoun? pronoun, EnRuAdjective? adjective) =>
        (Noun, Pronoun, Adjective) = (noun, pronoun, adjective);

    public static NounPhrase Of(EnRuNoun noun, EnRuAdjective? adjective = null)
    {
        if (adjective is not null && !adjective.Fits(noun))
            throw new ArgumentException($"The adjective '{adjective.English}' does not go with '{noun.English}'.", nameof(adjective));
        return new(noun, null, adjective);
    }

    public static NounPhrase Of(EnRuPronoun pronoun) => new(null, pronoun, null);

    /// <summary>The head word's lexicon key (the English noun, or the pronoun's subject form).</summary>
    public string Key => Noun?.English ?? Pronoun!.Nominative;

    public Agreement Agreement => Noun?.Russian.Gender ?? Pronoun!.Agreement;

    public bool Animate => Noun?.Animate ?? true;

    /// <summary>English "was"/"were" with this phrase as subject.</summary>
    public string EnglishBe => Pronoun?.Be ?? "was";

    /// <summary>The phrase as an English subject (<paramref name="objective"/> false) or object, with "the" for common nouns.</summary>
    public string English(bool objective)
    {
        if (Pronoun is not null) return objective ? Pronoun.Objective : Pronoun.Nominative;
        if (Noun!.Kind == NounKind.Name) return Noun.English;
        return Adjective is null ? $"the {Noun.English}" : $"the {Adjective.English} {Noun.English}";
    }

    /// <summary>The phrase with the indefinite article ("a shovel", "an old shovel").</summary>
    public string EnglishIndefinite()
    {
        if (Noun is null || Noun.Kind == NounKind.Name) return English(objective: true);
        string words = Adjective is null ? Noun.English : $"{Adjective.English} {Noun.English}";
        return ("aeiou".Contains(words[0]) ? "an " : "a ") + words;
    }

    /// <summary>The phrase in a Russian case, the adjective agreeing with the noun in gender, case and animacy.</summary>
    public string Russian(RussianCase c)
    {
        if (Pronoun is not null) return c switch
        {
            RussianCase.Nominative => Pronoun.RussianNominative,
            RussianCase.Accusative => Pronoun.RussianAccusative,
            _ => throw new ArgumentException($"The pronoun '{Pronoun.Nominative}' is not used in the {c}.", nameof(c)),
        };
        string noun = Noun!.Russian.Form(c);
        return Adjective is null ? noun : $"{Adjective.Russian.Form(c, Noun.Russian.Gender, Noun.Animate)} {noun}";
    }
}
