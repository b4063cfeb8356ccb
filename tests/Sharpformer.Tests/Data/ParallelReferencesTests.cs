using Sharpformer.Data;
using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Data;

public class ParallelReferencesTests
{
    [Fact]
    public void GroupsTranslationsOfTheSameSourceIntoStreams()
    {
        SentencePair[] pairs =
        [
            new("I know.", "Я знаю."), new("Go.", "Иди."), new("I know.", "Знаю."), new("Go.", "Иди."), new("I know.", "Я в курсе."),
        ];
        var grouped = ParallelReferences.Group(pairs);
        Assert.Equal(["I know.", "Go."], grouped.Sources);
        Assert.Equal(3, grouped.ReferenceStreams.Count);
        Assert.Equal(["Я знаю.", "Иди."], grouped.ReferenceStreams[0]);
        Assert.Equal(["Знаю.", null], grouped.ReferenceStreams[1]);
        Assert.Equal(["Я в курсе.", null], grouped.ReferenceStreams[2]);
        // An alternative translation is a full match (BLEU itself is 0 here: two-token sentences have no 3-grams).
        string[] hypotheses = ["Знаю.", "Иди."];
        Assert.Equal(100.0, new ChrF().CorpusScore(hypotheses, grouped.ReferenceStreams).Score, 1e-9);
        var bleu = new Bleu().CorpusScore(hypotheses, grouped.ReferenceStreams);
        Assert.Equal(bleu.Totals, bleu.Counts);
    }

    [Fact]
    public void TatoebaValidationHasSourcesWithSeveralTranslations()
    {
        var valid = ParallelCorpus.ReadTsv(TestData.Require("tatoeba-en-ru", "valid.tsv"));
        var grouped = ParallelReferences.Group(valid);
        Assert.True(grouped.Sources.Count < valid.Count);
        Assert.True(grouped.ReferenceStreams.Count >= 2);
        Assert.Equal(valid.Count, grouped.ReferenceStreams.Sum(s => s.Count(r => r is not null)));
    }

    [Fact]
    public void ReversedSwapsSides() => Assert.Equal(new SentencePair("б", "a"), new SentencePair("a", "б").Reversed());
}
