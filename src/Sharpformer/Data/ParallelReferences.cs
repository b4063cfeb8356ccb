namespace Sharpformer.Data;

/// <summary>
/// A parallel evaluation set with every distinct source once and all its translations as references, in the
/// reference-stream layout BLEU and chrF take: stream k holds each source's k-th translation, or null where a
/// source has fewer. Corpora such as Tatoeba list one source several times with different translations; scoring
/// each line against only its own translation would punish a correct alternative.
/// </summary>
internal sealed record ParallelReferences(IReadOnlyList<string> Sources, IReadOnlyList<IReadOnlyList<string?>> ReferenceStreams)
{
    /// <summary>Groups pairs by source, in order of first appearance; translations keep their order, duplicates are dropped.</summary>
    public static ParallelReferences Group(IEnumerable<SentencePair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var order = new List<string>();
        var translations = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            if (!translations.TryGetValue(pair.Source, out var list))
            {
                translations[pair.Source] = list = [];
                order.Add(pair.Source);
            }
            if (!list.Contains(pair.Target)) list.Add(pair.Target);
        }
        int streams = order.Count == 0 ? 1 : order.Max(s => translations[s].Count);
        var referenceStreams = new List<IReadOnlyList<string?>>(streams);
        for (int k = 0; k < streams; k++)
            referenceStreams.Add(order.Select(s => k < translations[s].Count ? translations[s][k] : null).ToArray());
        return new ParallelReferences(order, referenceStreams);
    }
}
