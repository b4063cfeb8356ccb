namespace Sharpformer.Evaluation;

/// <summary>
/// Corpus and sentence BLEU (Papineni et al. 2002) computed exactly as sacreBLEU 2.x does: each segment is
/// (optionally) lowercased, right-stripped and tokenized; n-gram counts are clipped by the maximum count over the
/// segment's references; the brevity penalty uses, per segment, the reference length closest to the hypothesis
/// length (the shorter one on a tie); statistics are summed over the corpus before the score is formed.
/// </summary>
/// <example><code>
/// var bleu = new Bleu();
/// BleuScore s = bleu.CorpusScore(hypotheses, [references]);   // one or more reference streams
/// Console.WriteLine(s);   // BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
/// </code></example>
internal sealed class Bleu
{
    public BleuOptions Options { get; }

    public Bleu(BleuOptions? options = null)
    {
        Options = options ?? BleuOptions.Corpus;
        Options.Validate();
    }

    /// <summary>BLEU of a corpus with sacreBLEU's defaults against one reference stream.</summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        new Bleu().CorpusScore(hypotheses, [references]);

    /// <summary>BLEU of one sentence with sacreBLEU's sentence settings (effective order on).</summary>
    public static BleuScore Sentence(string hypothesis, params IReadOnlyList<string> references) =>
        new Bleu(BleuOptions.Sentence).SentenceScore(hypothesis, references);

    /// <summary>
    /// Corpus BLEU. <paramref name="referenceStreams"/> holds one list per reference set, each with one entry per
    /// hypothesis; a null or empty entry means that set has no reference for that segment.
    /// </summary>
    public BleuScore CorpusScore(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams) =>
        ComputeScore(CorpusStatistics(hypotheses, referenceStreams));

    /// <summary>The summed statistics of a corpus (kept so that bootstrap or incremental scoring needs no recount).</summary>
    public BleuStatistics CorpusStatistics(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> referenceStreams)
    {
        var segments = ReferenceStreams.BySegment(hypotheses, referenceStreams);
        var sum = new BleuStatistics(Options.MaxNgramOrder);
        for (int i = 0; i < segments.Length; i++) sum.Add(Statistics(hypotheses[i], segments[i]));
        return sum;
    }

    /// <summary>BLEU of one sentence against its references, with these options (use <see cref="BleuOptions.Sentence"/> for sacreBLEU's sentence settings).</summary>
    public BleuScore SentenceScore(string hypothesis, IReadOnlyList<string?> references) =>
        ComputeScore(Statistics(hypothesis, ReferenceStreams.ForSentence(hypothesis, references)));

    /// <summary>The statistics of one segment against its (non-empty) references.</summary>
    public BleuStatistics SegmentStatistics(string hypothesis, IReadOnlyList<string?> references) =>
        Statistics(hypothesis, ReferenceStreams.ForSentence(hypothesis, references));

    /// <summary>Forms the score from (summed) statistics with these options.</summary>
    public BleuScore ComputeScore(BleuStatistics statistics)
    {
        if (statistics.MaxNgramOrder != Options.MaxNgramOrder)
            throw new ArgumentException($"Statistics of order {statistics.MaxNgramOrder} do not fit options of order {Options.MaxNgramOrder}.", nameof(statistics));
        return ComputeBleu(statistics.Correct, statistics.Total, statistics.SysLen, statistics.RefLen,
            Options.Smoothing, Options.SmoothValue, Options.EffectiveOrder, Signature(statistics.ReferenceCount));
    }

    /// <summary>
    /// The score from sufficient statistics, as sacreBLEU's <c>compute_bleu</c>: brevity penalty exp(1 − r/c) when
    /// c &lt; r (0 when c = 0); score 0 when nothing matched at any order; otherwise the geometric mean of the
    /// (smoothed) precisions over N orders, or over the orders up to the last one with n-grams under effective order.
    /// </summary>
    public static BleuScore ComputeBleu(IReadOnlyList<int> correct, IReadOnlyList<int> total, int sysLen, int refLen,
        SmoothingMethod smoothing = SmoothingMethod.None, double? smoothValue = null, bool effectiveOrder = false, string signature = "")
    {
        if (correct.Count != total.Count || correct.Count == 0)
            throw new ArgumentException($"correct and total need the same positive length, got {correct.Count} and {total.Count}.", nameof(correct));
        int maxOrder = correct.Count;
        double value = smoothValue ?? smoothing.DefaultValue() ?? 0;

        double bp = sysLen < refLen ? (sysLen > 0 ? Math.Exp(1.0 - (double)refLen / sysLen) : 0.0) : 1.0;
        var precisions = new double[maxOrder];
        var counts = correct.ToArray();
        var totals = total.ToArray();
        if (counts.All(c => c == 0))
            return new BleuScore(0.0, counts, totals, precisions, bp, sysLen, refLen, signature);

        double smoothMteval = 1.0;
        int effOrder = maxOrder;
        for (int n = 1; n <= maxOrder; n++)
        {
            double matched = counts[n - 1], possible = totals[n - 1];
            if (smoothing == SmoothingMethod.AddK && n > 1) { matched += value; possible += value; }
            if (possible == 0) break;
            if (effectiveOrder) effOrder = n;
            if (matched == 0)
            {
                if (smoothing == SmoothingMethod.Exp)
                {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * possible);
                }
                else if (smoothing == SmoothingMethod.Floor)
                    precisions[n - 1] = 100.0 * value / possible;
            }
            else precisions[n - 1] = 100.0 * matched / possible;
        }

        double logSum = 0;
        for (int n = 0; n < effOrder; n++) logSum += SafeLog(precisions[n]);
        double score = bp * Math.Exp(logSum / effOrder);
        return new BleuScore(score, counts, totals, precisions, bp, sysLen, refLen, signature);
    }

    /// <summary>sacreBLEU's <c>my_log</c>: a huge negative number instead of −∞ for a zero precision.</summary>
    private static double SafeLog(double x) => x == 0 ? -9999999999.0 : Math.Log(x);

    /// <summary>sacreBLEU's signature without the version field, e.g. <c>nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp</c>.</summary>
    public string Signature(int referenceCount)
    {
        string smooth = Options.Smoothing.Name();
        if (Options.Smoothing.DefaultValue() is double fallback)
            smooth += string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{Options.SmoothValue ?? fallback:F2}]");
        return $"nrefs:{ReferenceStreams.Describe(referenceCount)}|case:{(Options.Lowercase ? "lc" : "mixed")}|eff:{(Options.EffectiveOrder ? "yes" : "no")}|tok:{Options.Tokenizer.Name}|smooth:{smooth}";
    }

    /// <summary>The preprocessing applied to every segment: optional lowercasing, right strip, tokenization.</summary>
    public IReadOnlyList<string> Tokens(string segment)
    {
        if (Options.Lowercase) segment = PythonText.Lower(segment);
        return PythonText.Split(Options.Tokenizer.Tokenize(PythonText.RStrip(segment)));
    }

    private BleuStatistics Statistics(string hypothesis, List<string> references)
    {
        int maxOrder = Options.MaxNgramOrder;
        var refNgrams = new Dictionary<string, int>();
        var refLens = new List<int>(references.Count);
        foreach (var reference in references)
        {
            var tokens = Tokens(reference);
            refLens.Add(tokens.Count);
            foreach (var (ngram, count) in WordNgrams.Count(tokens, maxOrder))
                refNgrams[ngram] = Math.Max(refNgrams.GetValueOrDefault(ngram), count);
        }

        var hypTokens = Tokens(hypothesis);
        var correct = new int[maxOrder];
        var total = new int[maxOrder];
        foreach (var (ngram, count) in WordNgrams.Count(hypTokens, maxOrder))
        {
            int n = WordNgrams.Order(ngram) - 1;
            total[n] += count;
            if (refNgrams.TryGetValue(ngram, out int refCount)) correct[n] += Math.Min(count, refCount);
        }
        return new BleuStatistics(hypTokens.Count, ClosestReferenceLength(hypTokens.Count, refLens), correct, total, references.Count);
    }

    /// <summary>The reference length nearest the hypothesis length; on a tie, the shorter reference.</summary>
    public static int ClosestReferenceLength(int hypothesisLength, IReadOnlyList<int> referenceLengths)
    {
        int closestDiff = -1, closestLen = -1;
        foreach (int len in referenceLengths)
        {
            int diff = Math.Abs(hypothesisLength - len);
            if (closestDiff == -1 || diff < closestDiff) { closestDiff = diff; closestLen = len; }
            else if (diff == closestDiff && len < closestLen) closestLen = len;
        }
        return closestLen;
    }
}
