namespace Sharpformer.Evaluation;

/// <summary>
/// Turns sacreBLEU-style reference streams (one list per reference set, each aligned with the hypotheses) into the
/// references of each segment. As in sacreBLEU, a null or empty reference means "no reference from this stream for
/// this segment", so segments may have different numbers of references; a segment left with none is an error.
/// </summary>
internal static class ReferenceStreams
{
    public static List<string>[] BySegment(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string?>> streams)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(streams);
        if (streams.Count == 0) throw new ArgumentException("At least one reference stream is needed.", nameof(streams));
        for (int i = 0; i < hypotheses.Count; i++)
            if (hypotheses[i] is null) throw new ArgumentException($"Hypothesis {i + 1} is null; use \"\" for an empty one.", nameof(hypotheses));
        for (int k = 0; k < streams.Count; k++)
        {
            if (streams[k] is null) throw new ArgumentException($"Reference stream {k + 1} is null.", nameof(streams));
            if (streams[k].Count != hypotheses.Count)
                throw new ArgumentException($"Reference stream {k + 1} has {streams[k].Count} segments but there are {hypotheses.Count} hypotheses.", nameof(streams));
        }
        var segments = new List<string>[hypotheses.Count];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var refs = new List<string>(streams.Count);
            foreach (var stream in streams)
                if (stream[i] is { Length: > 0 } reference) refs.Add(reference);
            if (refs.Count == 0)
                throw new ArgumentException($"Segment {i + 1} has no non-empty reference in any stream.", nameof(streams));
            segments[i] = refs;
        }
        return segments;
    }

    /// <summary>Checks the references of one sentence and drops the empty ones.</summary>
    public static List<string> ForSentence(string hypothesis, IReadOnlyList<string?> references)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(references);
        var refs = references.Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).ToList();
        if (refs.Count == 0) throw new ArgumentException("The sentence has no non-empty reference.", nameof(references));
        return refs;
    }

    /// <summary>sacreBLEU's `nrefs` signature field: the count, or `var` when it differs between segments.</summary>
    public static string Describe(int referenceCount) => referenceCount < 0 ? "var" : referenceCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
