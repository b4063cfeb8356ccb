using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Evaluation;

/// <summary>The inputs and expected values of sacreBLEU's test_chrf.py and README, checked against this implementation.</summary>
public class ChrFSacreBleuCasesTests
{
    private const double Epsilon = 1e-4;

    public static TheoryData<string, string, double> SentenceLevel => new()
    {
        {
            "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
            "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.",
            39.14078509
        },
        {
            "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
            "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.",
            31.22557079
        },
        {
            "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
            "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.",
            57.15704367
        },
    };

    [Theory]
    [MemberData(nameof(SentenceLevel))]
    public void SentenceChrFWithEpsilonSmoothingMatches(string hypothesis, string reference, double expected)
    {
        var chrf = new ChrF(new ChrFOptions { EpsSmoothing = true });
        Assert.Equal(expected, chrf.SentenceScore(hypothesis, [reference]).Score, Epsilon);
    }

    public static TheoryData<string[], string[], double> EpsilonCases => new()
    {
        { ["abcdefg"], ["hijklmnop"], 0.0 },
        { ["a"], ["b"], 0.0 },
        { [""], ["b"], 0.0 },
        { [""], ["ref"], 0.0 },
        { [""], ["reference"], 0.0 },
        { ["aa"], ["ab"], 8.3333 },
        { ["a", "b"], ["a", "c"], 8.3333 },
        { ["a"], ["a"], 16.6667 },
        { ["a b c"], ["a b c"], 50.0 },
        { ["a b c"], ["abc"], 50.0 },
        {
            [" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
            ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."],
            63.361730
        },
        {
            [" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "],
            ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."],
            64.1302698
        },
        { ["Niemand hat die Absicht, eine Mauer zu errichten"], ["Niemand hat die Absicht, eine Mauer zu errichten"], 100.0 },
    };

    [Theory]
    [MemberData(nameof(EpsilonCases))]
    public void CorpusChrFBeta3WithEpsilonSmoothingMatches(string[] hypotheses, string[] references, double expected)
    {
        var chrf = new ChrF(new ChrFOptions { Beta = 3, EpsSmoothing = true });
        Assert.Equal(expected, chrf.CorpusScore(hypotheses, [references]).Score, Epsilon);
    }

    public static TheoryData<string[], string[], double> EffectiveOrderCases => new()
    {
        { ["a"], ["a"], 100.0 },
        { [""], ["reference"], 0.0 },
        { ["a b c"], ["a b c"], 100.0 },
        { ["a b c"], ["abc"], 100.0 },
        { [""], ["c"], 0.0 },
        { ["a", "b"], ["a", "c"], 50.0 },
        { ["aa"], ["ab"], 25.0 },
    };

    [Theory]
    [MemberData(nameof(EffectiveOrderCases))]
    public void CorpusChrFBeta3WithEffectiveOrderMatches(string[] hypotheses, string[] references, double expected)
    {
        var chrf = new ChrF(new ChrFOptions { Beta = 3 });
        Assert.Equal(expected, chrf.CorpusScore(hypotheses, [references]).Score, Epsilon);
    }

    public static TheoryData<string, string, double> KeepWhitespaceCases => new()
    {
        {
            "Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.",
            "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.",
            67.3481606
        },
        {
            "risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
            "risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .",
            65.2414427
        },
    };

    [Theory]
    [MemberData(nameof(KeepWhitespaceCases))]
    public void CorpusChrFKeepingWhitespaceMatches(string hypothesis, string reference, double expected)
    {
        var chrf = new ChrF(new ChrFOptions { Beta = 3, IncludeWhitespace = true });
        Assert.Equal(expected, chrf.CorpusScore([hypothesis], [[reference]]).Score, Epsilon);
    }

    [Fact]
    public void ReadmeMultiReferenceChrF2Matches()
    {
        string[] hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
        string[][] refs =
        [
            ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
            ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
        ];
        var score = new ChrF().CorpusScore(hyps, refs);
        Assert.Equal("chrF2 = 59.73", score.ToString());
        Assert.Equal("nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no", score.Signature);
    }
}
