namespace Sharpformer.Evaluation;

/// <summary>
/// BLEU's sufficient statistics for one segment or a whole corpus: hypothesis length, the closest reference
/// length, and per order n the matched (clipped) and total hypothesis n-grams. Corpus BLEU sums them.
/// </summary>
internal sealed class BleuStatistics
{
    public int SysLen { get; private set; }
    public int RefLen { get; private set; }

    /// <summary>Matched n-grams for orders 1..N (index n-1).</summary>
    public int[] Correct { get; }

    /// <summary>Hypothesis n-grams for orders 1..N (index n-1).</summary>
    public int[] Total { get; }

    /// <summary>References per segment: a count when every segment had the same number, -1 when it varied, 0 when empty.</summary>
    public int ReferenceCount { get; private set; }

    public BleuStatistics(int maxNgramOrder)
    {
        if (maxNgramOrder < 1) throw new ArgumentException($"maxNgramOrder must be at least 1, got {maxNgramOrder}.", nameof(maxNgramOrder));
        Correct = new int[maxNgramOrder];
        Total = new int[maxNgramOrder];
    }

    /// <summary>Statistics of one segment (or of an already summed corpus when <paramref name="segments"/> says so).</summary>
    public BleuStatistics(int sysLen, int refLen, int[] correct, int[] total, int referenceCount = 1, int segments = 1)
    {
        if (correct.Length != total.Length || correct.Length == 0)
            throw new ArgumentException($"correct and total need the same positive length, got {correct.Length} and {total.Length}.", nameof(correct));
        SysLen = sysLen; RefLen = refLen; Correct = correct; Total = total; ReferenceCount = referenceCount; Segments = segments;
    }

    /// <summary>How many segments these statistics sum.</summary>
    public int Segments { get; private set; }

    public int MaxNgramOrder => Correct.Length;

    /// <summary>Adds another segment's (or corpus's) statistics to these.</summary>
    public void Add(BleuStatistics other)
    {
        if (other.MaxNgramOrder != MaxNgramOrder)
            throw new ArgumentException($"Cannot add statistics of order {other.MaxNgramOrder} to order {MaxNgramOrder}.", nameof(other));
        SysLen += other.SysLen;
        RefLen += other.RefLen;
        for (int i = 0; i < Correct.Length; i++) { Correct[i] += other.Correct[i]; Total[i] += other.Total[i]; }
        if (other.Segments > 0)
            ReferenceCount = Segments == 0 ? other.ReferenceCount : ReferenceCount == other.ReferenceCount ? ReferenceCount : -1;
        Segments += other.Segments;
    }
}
