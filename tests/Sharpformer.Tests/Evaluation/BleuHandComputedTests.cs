using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Evaluation;

/// <summary>BLEU on cases small enough to count by hand.</summary>
public class BleuHandComputedTests
{
    private static Bleu WithSmoothing(SmoothingMethod method, double? value = null) =>
        new(new BleuOptions { Tokenizer = BleuTokenizer.None, Smoothing = method, SmoothValue = value });

    // hyp "the cat sat on the mat" vs ref "the cat is on the mat": matches 5/6, 3/5, 1/4, 0/3; lengths 6 and 6.
    private const string Hyp = "the cat sat on the mat";
    private const string Ref = "the cat is on the mat";

    [Fact]
    public void CountsAreClippedByTheReference()
    {
        var s = WithSmoothing(SmoothingMethod.Exp).CorpusScore([Hyp], [[Ref]]);
        Assert.Equal(new[] { 5, 3, 1, 0 }, s.Counts);
        Assert.Equal(new[] { 6, 5, 4, 3 }, s.Totals);
        Assert.Equal(1.0, s.BrevityPenalty);
        Assert.Equal(6, s.SysLen);
        Assert.Equal(6, s.RefLen);
    }

    [Fact]
    public void ExpSmoothingHalvesTheFirstZeroOrder()
    {
        // p4 = 1 / (2 * 3)
        double expected = 100 * Math.Pow(5.0 / 6 * 3.0 / 5 * 1.0 / 4 * (1.0 / 6), 0.25);
        Assert.Equal(expected, WithSmoothing(SmoothingMethod.Exp).CorpusScore([Hyp], [[Ref]]).Score, 1e-10);
    }

    [Fact]
    public void FloorSmoothingUsesTheValueAsTheCount()
    {
        double expected = 100 * Math.Pow(5.0 / 6 * 3.0 / 5 * 1.0 / 4 * (0.1 / 3), 0.25);
        Assert.Equal(expected, WithSmoothing(SmoothingMethod.Floor).CorpusScore([Hyp], [[Ref]]).Score, 1e-10);
        double expectedHalf = 100 * Math.Pow(5.0 / 6 * 3.0 / 5 * 1.0 / 4 * (0.5 / 3), 0.25);
        Assert.Equal(expectedHalf, WithSmoothing(SmoothingMethod.Floor, 0.5).CorpusScore([Hyp], [[Ref]]).Score, 1e-10);
    }

    [Fact]
    public void AddKSmoothingAddsToOrdersAboveOne()
    {
        double expected = 100 * Math.Pow(5.0 / 6 * 4.0 / 6 * 2.0 / 5 * 1.0 / 4, 0.25);
        var s = WithSmoothing(SmoothingMethod.AddK).CorpusScore([Hyp], [[Ref]]);
        Assert.Equal(expected, s.Score, 1e-10);
        Assert.Equal(new[] { 5, 3, 1, 0 }, s.Counts); // reported counts are the raw ones
    }

    [Fact]
    public void NoSmoothingGivesZeroWithAnEmptyOrder()
    {
        Assert.True(WithSmoothing(SmoothingMethod.None).CorpusScore([Hyp], [[Ref]]).Score < 1e-100);
    }

    [Fact]
    public void BrevityPenaltyAndEffectiveOrder()
    {
        // "the cat" vs the 6-word reference: p1 = p2 = 100%, no trigram; BP = exp(1 - 6/2).
        var plain = WithSmoothing(SmoothingMethod.Exp).CorpusScore(["the cat"], [[Ref]]);
        Assert.Equal(Math.Exp(-2), plain.BrevityPenalty, 1e-15);
        Assert.True(plain.Score < 1e-100);
        var effective = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None, EffectiveOrder = true }).CorpusScore(["the cat"], [[Ref]]);
        Assert.Equal(100 * Math.Exp(-2), effective.Score, 1e-10);
    }

    [Fact]
    public void ClosestReferenceLengthPrefersTheShorterOnATie()
    {
        Assert.Equal(3, Bleu.ClosestReferenceLength(5, [7, 3]));
        Assert.Equal(4, Bleu.ClosestReferenceLength(5, [6, 4]));
        Assert.Equal(6, Bleu.ClosestReferenceLength(5, [6, 9]));
        var s = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None }).CorpusScore(["a b c d e"], [["a b c d e f g"], ["a b c"]]);
        Assert.Equal(3, s.RefLen);
    }

    [Fact]
    public void MultipleReferencesClipByTheMaximumCount()
    {
        var s = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None }).CorpusScore(["the the the"], [["the cat"], ["the the dog"]]);
        Assert.Equal(2, s.Counts[0]);
        Assert.Equal(3, s.Totals[0]);
    }

    [Fact]
    public void CorpusSumsStatisticsBeforeTheScore()
    {
        var bleu = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None });
        var corpus = bleu.CorpusScore(["a b c d", "e f g h"], [["a b c d", "e f x h"]]);
        // Orders: 1: 7/8, 2: 4/6, 3: 2/4, 4: 1/2.
        Assert.Equal(100 * Math.Pow(7.0 / 8 * 4.0 / 6 * 2.0 / 4 * 1.0 / 2, 0.25), corpus.Score, 1e-10);
    }

    [Fact]
    public void LowercaseOption()
    {
        var mixed = new Bleu().CorpusScore(["The Cat Sat On The Mat"], [["the cat sat on the mat"]]);
        var lower = new Bleu(new BleuOptions { Lowercase = true }).CorpusScore(["The Cat Sat On The Mat"], [["the cat sat on the mat"]]);
        Assert.Equal(100.0, lower.Score, 1e-10);
        Assert.True(mixed.Score < 50);
        Assert.Contains("case:lc", lower.Signature);
    }

    [Fact]
    public void SignatureNamesSmoothingValues()
    {
        Assert.EndsWith("smooth:floor[0.10]", WithSmoothing(SmoothingMethod.Floor).Signature(1));
        Assert.EndsWith("smooth:add-k[2.00]", WithSmoothing(SmoothingMethod.AddK, 2).Signature(1));
        Assert.Contains("tok:none", WithSmoothing(SmoothingMethod.AddK, 2).Signature(1));
    }

    [Fact]
    public void SegmentWithoutReferencesIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Bleu().CorpusScore(["a", "b"], [["a", ""]]));
        Assert.Contains("Segment 2", ex.Message);
    }

    [Fact]
    public void MismatchedStreamLengthIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Bleu().CorpusScore(["a", "b"], [["a", "b"], ["a"]]));
        Assert.Contains("Reference stream 2", ex.Message);
    }

    [Fact]
    public void StatisticsCanBeAccumulated()
    {
        var bleu = new Bleu();
        var sum = new BleuStatistics(4);
        sum.Add(bleu.SegmentStatistics("The dog bit the man.", ["The dog bit the man."]));
        sum.Add(bleu.SegmentStatistics("It wasn't surprising.", ["It was not unexpected.", "No one was surprised."]));
        Assert.Equal(-1, sum.ReferenceCount);
        Assert.Equal(2, sum.Segments);
        var direct = bleu.CorpusScore(["The dog bit the man.", "It wasn't surprising."],
            [["The dog bit the man.", "It was not unexpected."], [null, "No one was surprised."]]);
        Assert.Equal(direct.Score, bleu.ComputeScore(sum).Score, 1e-12);
        Assert.StartsWith("nrefs:var", direct.Signature);
    }
}
