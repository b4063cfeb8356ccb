using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Evaluation;

/// <summary>
/// The inputs and expected values of sacreBLEU's own test suite (test_bleu.py, test_sentence_bleu.py) and README,
/// checked against this implementation.
/// </summary>
public class BleuSacreBleuCasesTests
{
    private static readonly string[] Hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
    private static readonly string[][] Refs =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    public static TheoryData<string, string, double> CorpusCases => new()
    {
        { "default", "13a", 48.530827 },
        { "13a", "13a", 48.530827 },
        { "none", "none", 49.1919566 },
        { "intl", "intl", 43.91623493 },
    };

    [Theory]
    [MemberData(nameof(CorpusCases))]
    public void CorpusBleuMatchesSacreBleuForEachTokenizer(string label, string tokenizer, double expected)
    {
        var bleu = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.Parse(tokenizer) });
        var score = bleu.CorpusScore(Hyps, Refs);
        Assert.True(Math.Abs(score.Score - expected) < 1e-6, $"{label}: got {score.Score}, expected {expected}");
    }

    [Fact]
    public void SmoothingNoneGivesTheSameCorpusScoreWhenEveryOrderMatches()
    {
        var score = new Bleu(new BleuOptions { Smoothing = SmoothingMethod.None }).CorpusScore(Hyps, Refs);
        Assert.Equal(48.530827, score.Score, 1e-6);
    }

    [Fact]
    public void EmptyHypothesesScoreZeroAndAreNotDropped()
    {
        var score = new Bleu().CorpusScore(["", "", ""], Refs);
        Assert.Equal(0.0, score.Score);
        Assert.Equal(0, score.SysLen);
        Assert.Equal(6 + 5 + 6, score.RefLen);   // the shortest reference of each sentence (13a splits off the final period)
        Assert.Equal(0.0, score.BrevityPenalty);
    }

    [Fact]
    public void ReadmeLineAndSignatureMatch()
    {
        var score = new Bleu().CorpusScore(Hyps, Refs);
        Assert.Equal("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", score.ToString());
        Assert.Equal("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp", score.Signature);
        Assert.StartsWith("BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp = 48.53 ", score.Format(withSignature: true));
    }

    [Fact]
    public void VariableNumberOfReferencesMatchesReadme()
    {
        // The README's example with the first reference of the first stream removed ("" or null).
        string?[] first = ["", "It was not unexpected.", "The man bit him first."];
        foreach (var missing in new string?[] { "", null })
        {
            first[0] = missing;
            var score = new Bleu().CorpusScore(Hyps, [first, Refs[1]]);
            Assert.Equal("BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)", score.ToString());
            Assert.StartsWith("nrefs:var|", score.Signature);
        }
    }

    public static TheoryData<string, string, double> RawCases => new()
    {
        // raw_corpus_bleu: tokenize none, floor smoothing 0.01, effective order; expected as a fraction.
        { "this is a test", "this is a test", 1.0 },
        { "this is a fest", "this is a test", 0.223606797749979 },
        { "test", "a test", 0.3678794411714425 },
        { "a test", "a test", 1.0 },
        { "a little test", "a test", 0.03218297948685433 },
    };

    private static Bleu Raw(double smoothValue) => new(new BleuOptions
    {
        Tokenizer = BleuTokenizer.None, Smoothing = SmoothingMethod.Floor, SmoothValue = smoothValue, EffectiveOrder = true,
    });

    [Theory]
    [MemberData(nameof(RawCases))]
    public void RawCorpusBleuWithEffectiveOrderMatches(string hyp, string reference, double expected)
    {
        var score = Raw(0.01).CorpusScore([hyp], [[reference]]);
        Assert.Equal(expected, score.Score / 100, 1e-8);
    }

    [Fact]
    public void NoMatchAtAnyOrderScoresZero()
    {
        // sacreBLEU #141: no matched n-gram at all gives 0 regardless of smoothing.
        Assert.Equal(0.0, Raw(0.01).CorpusScore(["this is a test", "another test"], [["ref1", "ref2"]]).Score);
    }

    [Fact]
    public void StatisticsMatch()
    {
        var score = Raw(0.01).CorpusScore(["am I am a character sequence"], [["I am a symbol string sequence a a"]]);
        Assert.Equal(new[] { 4, 2, 1, 0 }, score.Counts);
        Assert.Equal(new[] { 6, 5, 4, 3 }, score.Totals);
    }

    [Fact]
    public void ScoringFromStatisticsMatches()
    {
        var score = Bleu.ComputeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11);
        Assert.Equal(0.8375922397, score.Score / 100, 1e-8);
    }

    [Fact]
    public void FloorOffsetZeroGivesZeroAndDefaultOffsetMatches()
    {
        string[] hyp = ["am I am a character sequence"];
        string[][] reference = [["I am a symbol string sequence a a"]];
        Assert.Equal(0.0, Raw(0.0).CorpusScore(hyp, reference).Score / 100, 1e-8);
        var defaultFloor = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None, Smoothing = SmoothingMethod.Floor, EffectiveOrder = true });
        Assert.Equal(0.1555722182, defaultFloor.CorpusScore(hyp, reference).Score / 100, 1e-8);
    }

    public static TheoryData<int[], int[], int, int, double> DegenerateCases => new()
    {
        { [0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0 },
        { [0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0 },
        { [0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0 },
        { [6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0 },
        { [0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1 },
        { [0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01 },
    };

    [Theory]
    [MemberData(nameof(DegenerateCases))]
    public void DegenerateStatisticsScoreExactlyZero(int[] correct, int[] total, int sysLen, int refLen, double floor)
    {
        Assert.Equal(0.0, Bleu.ComputeBleu(correct, total, sysLen, refLen, SmoothingMethod.Floor, floor).Score);
    }

    [Theory]
    [InlineData(1, "77.65")]
    [InlineData(2, "60.50")]
    [InlineData(3, "53.93")]
    [InlineData(4, "48.53")]
    [InlineData(5, "46.14")]
    [InlineData(6, "43.28")]
    public void MaxNgramOrderMatches(int order, string expected)
    {
        var score = new Bleu(new BleuOptions { MaxNgramOrder = order }).CorpusScore(Hyps, Refs);
        Assert.Equal(expected, score.Score.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
    }

    // sacreBLEU #98: ţ (U+0163) in the reference against ț (U+021B) in the hypothesis.
    private const string Sys98 = "Produc\u021Bia de zah\u0103r prim\u0103 va fi exprimat\u0103 \u00EEn ceea ce prive\u0219te zah\u0103rul alb;";
    private const string Ref98 = "produc\u0163ia de zah\u0103r brut se exprim\u0103 \u00EEn zah\u0103r alb;";

    public static TheoryData<string, double?, bool, string, double> SentenceCases => new()
    {
        { "exp", null, false, "13a", 8.493 },
        { "none", null, false, "13a", 0.0 },
        { "floor", null, false, "13a", 4.51688 },
        { "floor", 0.1, false, "13a", 4.51688 },
        { "floor", 0.5, false, "13a", 10.10 },
        { "add-k", null, false, "13a", 14.882 },
        { "add-k", 1.0, false, "13a", 14.882 },
        { "add-k", 2.0, false, "13a", 21.389 },
        { "exp", null, false, "none", 7.347 },
        { "exp", null, false, "intl", 8.493 },
        { "exp", null, false, "char", 40.8759 },
        { "exp", null, true, "char", 42.0267 },
    };

    [Theory]
    [MemberData(nameof(SentenceCases))]
    public void SentenceBleuMatchesForEverySmoothingAndTokenizer(string smoothing, double? value, bool lowercase, string tokenizer, double expected)
    {
        var bleu = new Bleu(BleuOptions.Sentence with
        {
            Smoothing = SmoothingMethods.Parse(smoothing), SmoothValue = value, Lowercase = lowercase, Tokenizer = BleuTokenizer.Parse(tokenizer),
        });
        // sacreBLEU states these to 3-4 decimals and checks them to 1e-3.
        Assert.Equal(expected, bleu.SentenceScore(Sys98, [Ref98]).Score, 1e-3);
    }

    [Theory]
    [InlineData("exp", null)]
    [InlineData("none", null)]
    [InlineData("floor", null)]
    [InlineData("floor", 0.1)]
    [InlineData("add-k", null)]
    [InlineData("add-k", 1.0)]
    public void SentenceWithoutAnyMatchScoresZero(string smoothing, double? value)
    {
        var bleu = new Bleu(BleuOptions.Sentence with { Smoothing = SmoothingMethods.Parse(smoothing), SmoothValue = value });
        Assert.Equal(0.0, bleu.SentenceScore("this is a cat", ["okay thanks"]).Score);
    }

    [Fact]
    public void SentenceShortcutUsesEffectiveOrder()
    {
        Assert.Equal(8.493, Bleu.Sentence(Sys98, Ref98).Score, 1e-3);
        Assert.Contains("eff:yes", Bleu.Sentence(Sys98, Ref98).Signature);
    }
}
