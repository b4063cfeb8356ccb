namespace Sharpformer.Evaluation;

/// <summary>
/// chrF (Popović 2015) and chrF++ (Popović 2017) exactly as sacreBLEU 2.x computes them. For each order the
/// statistics are [hypothesis n-grams, reference n-grams, matches]; with several references a segment takes the
/// statistics of the reference with the best sentence F-score (the first on a tie); corpus chrF sums the chosen
/// statistics over segments and forms one F-score from the sums. Characters are Unicode code points.
/// </summary>
internal sealed class ChrF
{
    /// <summary>The ASCII punctuation (Python's <c>string.punctuation</c>) that chrF++ splits off word edges.</summary>
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public ChrFOptions Options { get; }

    private int Orders => Options.CharOrder + Options.WordOrder;

    public ChrF(ChrFOptions? options = null)
    {
        Options = options ?? ChrFOptions.ChrF2;
        Options.Validate();
    }

    /// <summary>chrF2 of a corpus against one reference stream.</summary>
    public static ChrFScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        new ChrF().CorpusScore(hypotheses, [references]);

    /// <summary>Corpus chrF against one or more reference streams (null or empty entries: no reference from that stream).</summary>
    public ChrFScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        var segments = ReferenceStreams.BySegment(hypotheses, referenceStreams);
        return ComputeScore(Sum(hypotheses, segments), ReferenceCount(segments));
    }

    /// <summary>The summed statistics, 3 numbers per order: char orders 1..CharOrder, then word orders 1..WordOrder.</summary>
    public long[] CorpusStatistics(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams) =>
        Sum(hypotheses, ReferenceStreams.BySegment(hypotheses, referenceStreams));

    private long[] Sum(IReadOnlyList<string> hypotheses, List<string>[] segments)
    {
        var sum = new long[3 * Orders];
        for (int i = 0; i < segments.Length; i++)
        {
            var stats = BestStatistics(hypotheses[i], segments[i]);
            for (int k = 0; k < sum.Length; k++) sum[k] += stats[k];
        }
        return sum;
    }

    /// <summary>chrF of one sentence against its references.</summary>
    public ChrFScore SentenceScore(string hypothesis, IReadOnlyList<string?> references)
    {
        var refs = ReferenceStreams.ForSentence(hypothesis, references);
        return ComputeScore(BestStatistics(hypothesis, refs), refs.Count);
    }

    /// <summary>The statistics of one segment: those of its best-scoring (non-empty) reference.</summary>
    public long[] SegmentStatistics(string hypothesis, IReadOnlyList<string?> references) =>
        BestStatistics(hypothesis, ReferenceStreams.ForSentence(hypothesis, references));

    private long[] BestStatistics(string hypothesis, List<string> references)
    {
        var hypNgrams = Ngrams(Preprocess(hypothesis));
        long[] best = [];
        double bestF = -1.0;
        foreach (var reference in references)
        {
            var refNgrams = Ngrams(Preprocess(reference));
            var stats = new long[3 * Orders];
            for (int o = 0; o < Orders; o++) MatchStatistics(hypNgrams[o], refNgrams[o], stats.AsSpan(3 * o, 3));
            double f = FScore(stats);
            if (f > bestF) { bestF = f; best = stats; }
        }
        return best;
    }

    /// <summary>Forms the score from (summed) statistics.</summary>
    public ChrFScore ComputeScore(long[] statistics, int referenceCount = 1)
    {
        if (statistics.Length != 3 * Orders)
            throw new ArgumentException($"Expected {3 * Orders} statistics (3 per order), got {statistics.Length}.", nameof(statistics));
        return new ChrFScore(FScore(statistics), Options.CharOrder, Options.WordOrder, Options.Beta, Signature(referenceCount));
    }

    /// <summary>sacreBLEU's signature without the version field, e.g. <c>nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no</c>.</summary>
    public string Signature(int referenceCount) =>
        $"nrefs:{ReferenceStreams.Describe(referenceCount)}|case:{(Options.Lowercase ? "lc" : "mixed")}|eff:{(Options.EpsSmoothing ? "no" : "yes")}|nc:{Options.CharOrder}|nw:{Options.WordOrder}|space:{(Options.IncludeWhitespace ? "yes" : "no")}";

    private static int ReferenceCount(List<string>[] segments)
    {
        if (segments.Length == 0) return 0;
        int first = segments[0].Count;
        return segments.All(s => s.Count == first) ? first : -1;
    }

    private string Preprocess(string sentence) => Options.Lowercase ? PythonText.Lower(sentence) : sentence;

    /// <summary>Per order, the n-gram counts: character orders first, then word orders.</summary>
    private List<Dictionary<string, int>> Ngrams(string sentence)
    {
        var result = new List<Dictionary<string, int>>(Orders);
        string chars = Options.IncludeWhitespace ? sentence : PythonText.RemoveWhitespace(sentence);
        int[] starts = PythonText.CodePointStarts(chars);
        int length = starts.Length - 1;
        for (int n = 1; n <= Options.CharOrder; n++)
        {
            var counts = new Dictionary<string, int>();
            for (int i = 0; i + n <= length; i++)
            {
                string key = chars.Substring(starts[i], starts[i + n] - starts[i]);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
            result.Add(counts);
        }
        if (Options.WordOrder > 0)
        {
            var words = SplitPunctuation(sentence);
            for (int n = 1; n <= Options.WordOrder; n++) result.Add(WordNgrams.Count(words, n, n));
        }
        return result;
    }

    /// <summary>
    /// chrF++'s word split: whitespace words, with one ASCII punctuation character split off the end (or, failing
    /// that, the start) of each word longer than one character.
    /// </summary>
    private static List<string> SplitPunctuation(string sentence)
    {
        var tokens = new List<string>();
        foreach (var w in PythonText.Split(sentence))
        {
            if (PythonText.CodePointStarts(w).Length - 1 == 1) tokens.Add(w);
            else if (Punctuation.Contains(w[^1])) { tokens.Add(w[..^1]); tokens.Add(w[^1..]); }
            else if (Punctuation.Contains(w[0])) { tokens.Add(w[..1]); tokens.Add(w[1..]); }
            else tokens.Add(w);
        }
        return tokens;
    }

    /// <summary>[hypothesis count (0 when the reference has no n-gram of this order), reference count, clipped matches].</summary>
    private static void MatchStatistics(Dictionary<string, int> hyp, Dictionary<string, int> reference, Span<long> stats)
    {
        long hypCount = 0, matches = 0, refCount = 0;
        foreach (var (ngram, count) in hyp)
        {
            hypCount += count;
            if (reference.TryGetValue(ngram, out int r)) matches += Math.Min(count, r);
        }
        foreach (var count in reference.Values) refCount += count;
        stats[0] = reference.Count > 0 ? hypCount : 0;
        stats[1] = refCount;
        stats[2] = matches;
    }

    /// <summary>sacreBLEU's <c>_compute_f_score</c>, on a 0–100 scale.</summary>
    private double FScore(ReadOnlySpan<long> statistics)
    {
        const double eps = 1e-16;
        double factor = (double)Options.Beta * Options.Beta;
        double epsScore = 0, avgPrec = 0, avgRec = 0;
        int effectiveOrder = 0;
        for (int o = 0; o < Orders; o++)
        {
            long nHyp = statistics[3 * o], nRef = statistics[3 * o + 1], nMatch = statistics[3 * o + 2];
            double prec = nHyp > 0 ? (double)nMatch / nHyp : eps;
            double rec = nRef > 0 ? (double)nMatch / nRef : eps;
            double denom = factor * prec + rec;
            epsScore += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
            if (nHyp > 0 && nRef > 0) { avgPrec += prec; avgRec += rec; effectiveOrder++; }
        }
        if (Options.EpsSmoothing) return 100 * epsScore / Orders;
        if (effectiveOrder == 0) return 0.0;
        avgPrec /= effectiveOrder;
        avgRec /= effectiveOrder;
        if (avgPrec + avgRec == 0) return 0.0;
        double score = (1 + factor) * avgPrec * avgRec;
        score /= factor * avgPrec + avgRec;
        return 100 * score;
    }
}
