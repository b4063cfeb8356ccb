using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Evaluation;

/// <summary>chrF on cases small enough to count by hand.</summary>
public class ChrFHandComputedTests
{
    // "the cat." vs "the dog.": whitespace removed, "thecat." vs "thedog." (7 characters each).
    // Matches per character order 1..6: 4/7, 2/6, 1/5, 0/4, 0/3, 0/2 (hypothesis and reference counts are equal,
    // so precision = recall and F = the average). chrF++ adds word unigrams {the, cat, .} vs {the, dog, .}: 2/3,
    // and bigrams {the cat, cat .} vs {the dog, dog .}: 0/2.
    [Fact]
    public void ChrF2AveragesCharacterOrders()
    {
        double expected = 100 * (4.0 / 7 + 2.0 / 6 + 1.0 / 5) / 6;
        Assert.Equal(expected, ChrF.Corpus(["the cat."], ["the dog."]).Score, 1e-12);
    }

    [Fact]
    public void ChrFPlusPlusAddsWordOrders()
    {
        double expected = 100 * (4.0 / 7 + 2.0 / 6 + 1.0 / 5 + 2.0 / 3) / 8;
        var score = new ChrF(ChrFOptions.ChrFPlusPlus).CorpusScore(["the cat."], [["the dog."]]);
        Assert.Equal(expected, score.Score, 1e-12);
        Assert.Equal("chrF2++", score.Name);
    }

    [Fact]
    public void UnequalPrecisionAndRecallUseTheFBetaFormula()
    {
        // "ab" vs "abc": order 1: 2/2 precision, 2/3 recall; order 2: 1/1 and 1/2; order 3: the hypothesis
        // has no trigram, so the order does not count. P = 1, R = (2/3 + 1/2)/2 = 7/12.
        double p = 1, r = 7.0 / 12;
        double expected = 100 * 5 * p * r / (4 * p + r);
        Assert.Equal(expected, ChrF.Corpus(["ab"], ["abc"]).Score, 1e-12);
    }

    [Fact]
    public void BestReferenceIsChosenPerSentence()
    {
        var score = new ChrF().CorpusScore(["abc", "xyz"], [["zzz", "xyz"], ["abc", "qqq"]]);
        Assert.Equal(100.0, score.Score, 1e-12);
    }

    [Fact]
    public void StatisticsAreSummedBeforeTheScore()
    {
        // Sentence 1: "ab" vs "ab" (order 1: 2/2, order 2: 1/1); sentence 2: "cd" vs "ce" (order 1: 1/2, order 2: 0/1).
        // Sums: order 1: 3/4, order 2: 1/2 -> F = (3/4 + 1/2) / 2, not the mean of the sentence scores.
        double expected = 100 * (3.0 / 4 + 1.0 / 2) / 2;
        Assert.Equal(expected, ChrF.Corpus(["ab", "cd"], ["ab", "ce"]).Score, 1e-12);
    }

    [Fact]
    public void CharactersAreCodePoints()
    {
        // U+1F600 is one character (two UTF-16 units): "a😀" vs "a😀" has one bigram, matched.
        var s = "a\U0001F600";
        Assert.Equal(100.0, ChrF.Corpus([s], [s]).Score, 1e-12);
        var stats = new ChrF().CorpusStatistics([s], [[s]]);
        Assert.Equal(2, stats[0]); // two unigrams
        Assert.Equal(1, stats[3]); // one bigram
        Assert.Equal(0, stats[6]); // no trigram
    }

    [Fact]
    public void LowercaseOptionIgnoresCase()
    {
        Assert.True(ChrF.Corpus(["ABC"], ["abc"]).Score < 1);
        Assert.Equal(100.0, new ChrF(new ChrFOptions { Lowercase = true }).CorpusScore(["ABC"], [["abc"]]).Score, 1e-12);
    }

    [Fact]
    public void MismatchedStreamIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => ChrF.Corpus(["a", "b"], ["a"]));
        Assert.Contains("Reference stream 1 has 1 segments but there are 2 hypotheses", ex.Message);
    }
}
