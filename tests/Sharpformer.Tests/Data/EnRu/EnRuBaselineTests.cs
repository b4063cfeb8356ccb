using Sharpformer.Data.EnRu;
using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Data.EnRu;

/// <summary>
/// The held-out test set cannot be translated well without the grammar: renderings that ignore case endings,
/// agreement or the focus-driven word order score far below the reference.
/// </summary>
public class EnRuBaselineTests(ITestOutputHelper output)
{
    private static readonly Lazy<List<EnRuClause>> Test = new(() =>
        EnRuCorpusGenerator.GenerateClauses(new EnRuCorpusOptions { TrainCount = 2000, ValidCount = 200, TestCount = 500, Seed = 11 }).Test);

    /// <summary>Right words, wrong grammar: nominative everywhere, masculine verb, the plain order.</summary>
    private static string WithoutMorphology(EnRuClause c)
    {
        string Nom(NounPhrase p) => p.Russian(RussianCase.Nominative);
        string sentence = $"{Nom(c.Subject)} {(c.Negated ? "не " : "")}{c.Verb.Russian.Masculine} {Nom(c.Object)} {Nom(c.Instrument)}";
        if (c.Time is not null) sentence = c.Time.Russian + " " + sentence;
        return char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".";
    }

    /// <summary>Right forms, one word order: every construction rendered as the plain one.</summary>
    private static string PlainOrder(EnRuClause c) => (c with { Construction = Construction.Plain }).Russian();

    [Fact]
    public void GrammarIsNeededForAHighScore()
    {
        var clauses = Test.Value;
        var references = clauses.Select(c => c.Russian()).ToList();
        double exact = Bleu.Corpus(references, references).Score;
        double noMorphology = Bleu.Corpus(clauses.Select(WithoutMorphology).ToList(), references).Score;
        double plainOrder = Bleu.Corpus(clauses.Select(PlainOrder).ToList(), references).Score;
        output.WriteLine($"test BLEU: reference {exact:F2}, nominative-only {noMorphology:F2}, plain-order-only {plainOrder:F2}");
        Assert.Equal(100.0, exact, 1e-9);
        Assert.True(noMorphology < 30, $"nominative-only rendering scored {noMorphology:F2}");
        Assert.True(plainOrder < 70, $"plain-order rendering scored {plainOrder:F2}");
    }
}
