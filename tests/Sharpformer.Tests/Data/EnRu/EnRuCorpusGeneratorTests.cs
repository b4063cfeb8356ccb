using Sharpformer.Data.EnRu;

namespace Sharpformer.Tests.Data.EnRu;

public class EnRuCorpusGeneratorTests
{
    private static readonly EnRuCorpusOptions Small = new() { TrainCount = 6000, ValidCount = 300, TestCount = 300, Seed = 7 };
    private static readonly Lazy<(List<EnRuClause> Train, List<EnRuClause> Valid, List<EnRuClause> Test)> Clauses =
        new(() => EnRuCorpusGenerator.GenerateClauses(Small));

    [Fact]
    public void SplitsHaveTheRequestedSizesAndShareNoSentence()
    {
        var (train, valid, test) = Clauses.Value;
        Assert.Equal(6000, train.Count);
        Assert.Equal(300, valid.Count);
        Assert.Equal(300, test.Count);
        var all = train.Concat(valid).Concat(test).Select(c => c.English()).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        var targets = train.Select(c => c.Russian()).ToHashSet();
        Assert.DoesNotContain(valid.Concat(test), c => targets.Contains(c.Russian()));
    }

    [Fact]
    public void HeldOutCombinationsNeverAppearInTraining()
    {
        var (train, valid, test) = Clauses.Value;
        var trainCombos = train.SelectMany(c => c.Combinations()).ToHashSet();
        var validCombos = valid.SelectMany(c => c.Combinations()).ToHashSet();
        foreach (var clause in valid)
            Assert.Contains(clause.Combinations(), k => !trainCombos.Contains(k));
        foreach (var clause in test)
            Assert.Contains(clause.Combinations(), k => !trainCombos.Contains(k) && !validCombos.Contains(k));
        // Assigned per combination: a held-out combination is held out wherever it occurs.
        Assert.All(trainCombos, k => Assert.Equal(EnRuCorpusGenerator.Split.Train, EnRuCorpusGenerator.SplitOf(k, Small.Seed, Small.HeldOutCombinationFraction)));
    }

    [Fact]
    public void EveryHeldOutWordOccursInTraining()
    {
        var (train, valid, test) = Clauses.Value;
        static IEnumerable<string> Words(string s) => s.TrimEnd('.').Split(' ').Select(w => w.ToLowerInvariant());
        var trainEnglish = train.SelectMany(c => Words(c.English())).ToHashSet();
        var trainRussian = train.SelectMany(c => Words(c.Russian())).ToHashSet();
        foreach (var clause in valid.Concat(test))
        {
            Assert.All(Words(clause.English()), w => Assert.Contains(w, trainEnglish));
            Assert.All(Words(clause.Russian()), w => Assert.Contains(w, trainRussian));
        }
    }

    [Fact]
    public void EveryConstructionNegationAndTimeOccurs()
    {
        var train = Clauses.Value.Train;
        Assert.All(Enum.GetValues<Construction>(), c => Assert.Contains(train, x => x.Construction == c));
        Assert.Contains(train, x => x.Negated);
        Assert.Contains(train, x => x.Time is not null);
        Assert.Contains(train, x => x.Subject.Pronoun is not null);
        Assert.Contains(train, x => x.Object.Adjective is not null);
    }

    [Fact]
    public void EachEnglishSentenceHasOneTranslation()
    {
        var corpus = EnRuCorpusGenerator.Generate(Small with { Seed = 8 });
        var byEnglish = new Dictionary<string, string>();
        foreach (var pair in corpus.Train.Concat(corpus.Valid).Concat(corpus.Test))
        {
            if (byEnglish.TryGetValue(pair.Source, out var russian)) Assert.Equal(russian, pair.Target);
            byEnglish[pair.Source] = pair.Target;
        }
    }

    [Fact]
    public void SameSeedSameCorpusOtherSeedOtherCorpus()
    {
        var options = Small with { TrainCount = 500, ValidCount = 20, TestCount = 20 };
        var a = EnRuCorpusGenerator.Generate(options);
        var b = EnRuCorpusGenerator.Generate(options);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        var c = EnRuCorpusGenerator.Generate(options with { Seed = 99 });
        Assert.NotEqual(a.Train, c.Train);
    }

    [Fact]
    public void ImpossibleRequestsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => EnRuCorpusGenerator.Generate(Small with { HeldOutCombinationFraction = 0 }));
        Assert.Throws<ArgumentException>(() => EnRuCorpusGenerator.Generate(Small with { ConstructionWeights = [1, 1] }));
    }
}

public class EnRuShowcaseTests
{
    [Fact]
    public void ShowcaseRendersAndIsLeftOutOfTheCorpus()
    {
        var pairs = EnRuShowcase.Clauses().Select(c => c.ToPair()).ToList();
        Assert.Equal(new Sharpformer.Data.SentencePair("Petya hit Vasya with a shovel.", "Петя ударил Васю лопатой."), pairs[0]);
        Assert.Equal("Маша ударила Васю лопатой.", pairs[1].Target);
        Assert.Equal("Машу толкнул Петя палкой.", pairs[2].Target);
        Assert.Equal("Вчера молотком старый учитель разбудил кота.", pairs[3].Target);
        Assert.Equal("Маленького брата подушкой толкнула не Маша.", pairs[4].Target);
        Assert.Equal("Мальчик разбил камнем окно.", pairs[5].Target);

        // A two-sentence language: "Petya hit Vasya with a shovel." and "Vasya hit Petya with a shovel.".
        var lex = EnRuLexicon.Default;
        var tiny = new EnRuLexicon([lex.Noun("Petya"), lex.Noun("Vasya")], [], [], [], [lex.Noun("shovel")], [], [lex.Verb("hit")], [], []);
        var options = new EnRuCorpusOptions
        {
            Lexicon = tiny, ValidCount = 0, TestCount = 0, ConstructionWeights = [1, 0, 0, 0, 0],
            NegationProbability = 0, TimeProbability = 0, AdjectiveProbability = 0, PronounProbability = 0,
        };
        var sampler = new EnRuClauseSampler(options);
        ulong seed = Enumerable.Range(1, 200).Select(s => (ulong)s).First(s =>
            Enumerable.Range(0, 20).Select(_ => sampler.Next(new Sharpformer.Tensors.Rng(s + 1000)))
                .All(c => EnRuCorpusGenerator.SplitOf(c, options with { Seed = s }) == EnRuCorpusGenerator.Split.Train));
        options = options with { Seed = seed };

        var both = EnRuCorpusGenerator.Generate(options with { TrainCount = 2, ExcludeShowcase = false });
        Assert.Contains(both.Train, p => p.Source == pairs[0].Source);
        var one = EnRuCorpusGenerator.Generate(options with { TrainCount = 1 });
        Assert.Equal("Vasya hit Petya with a shovel.", Assert.Single(one.Train).Source);
        Assert.Throws<ArgumentException>(() => EnRuCorpusGenerator.Generate(options with { TrainCount = 2 }));
    }
}
