using Sharpformer.Tensors;

namespace Sharpformer.Data.EnRu;

/// <summary>Draws random clauses from a lexicon with the mix of constructions and options given.</summary>
internal sealed class EnRuClauseSampler
{
    private readonly EnRuCorpusOptions _options;
    private readonly EnRuLexicon _lex;
    private readonly EnRuNoun[] _animate;
    private readonly EnRuPronoun[] _subjectPronouns;

    public EnRuClauseSampler(EnRuCorpusOptions options)
    {
        options.Validate();
        _options = options;
        _lex = options.Lexicon;
        _animate = [.. _lex.Names, .. _lex.People, .. _lex.Animals];
        _subjectPronouns = [.. _lex.Pronouns.Where(p => p.CanBeSubject)];
    }

    public EnRuClause Next(Rng rng)
    {
        while (true)
        {
            var verb = Pick(_lex.Verbs, rng);
            var subject = Participant(rng, _animate, _subjectPronouns);
            NounPhrase obj = verb.Objects switch
            {
                ObjectKind.Inanimate => Phrase(Pick(_lex.Things, rng), rng),
                ObjectKind.Any when _lex.Things.Count > 0 && rng.NextDouble() < 0.25 => Phrase(Pick(_lex.Things, rng), rng),
                _ => Participant(rng, _animate, _lex.Pronouns),
            };
            var instrument = Phrase(Pick(_lex.Instruments, rng), rng);
            if (!Compatible(subject, obj, instrument)) continue;
            var construction = PickConstruction(rng);
            bool negated = rng.NextDouble() < _options.NegationProbability;
            EnRuTime? time = _lex.Times.Count > 0 && rng.NextDouble() < _options.TimeProbability ? Pick(_lex.Times, rng) : null;
            return new EnRuClause(construction, subject, verb, obj, instrument, negated, time);
        }
    }

    /// <summary>
    /// No one acts on themselves (that needs a reflexive; this also rules out "we … us" and "he … him"), and nothing
    /// is its own instrument.
    /// </summary>
    private static bool Compatible(NounPhrase subject, NounPhrase obj, NounPhrase instrument) =>
        subject.Key != obj.Key && obj.Key != instrument.Key;

    private NounPhrase Participant(Rng rng, EnRuNoun[] nouns, IReadOnlyList<EnRuPronoun> pronouns) =>
        pronouns.Count > 0 && rng.NextDouble() < _options.PronounProbability
            ? NounPhrase.Of(Pick(pronouns, rng))
            : Phrase(Pick(nouns, rng), rng);

    private NounPhrase Phrase(EnRuNoun noun, Rng rng)
    {
        if (noun.Kind == NounKind.Name || rng.NextDouble() >= _options.AdjectiveProbability) return NounPhrase.Of(noun);
        var fitting = _lex.Adjectives.Where(a => a.Fits(noun)).ToArray();
        return fitting.Length == 0 ? NounPhrase.Of(noun) : NounPhrase.Of(noun, Pick(fitting, rng));
    }

    private Construction PickConstruction(Rng rng)
    {
        var weights = _options.ConstructionWeights;
        double r = rng.NextDouble() * weights.Sum();
        for (int k = 0; k < weights.Count; k++)
        {
            r -= weights[k];
            if (r < 0) return (Construction)k;
        }
        return (Construction)(weights.Count - 1);
    }

    private static T Pick<T>(IReadOnlyList<T> items, Rng rng) => items[rng.NextInt(items.Count)];
}
