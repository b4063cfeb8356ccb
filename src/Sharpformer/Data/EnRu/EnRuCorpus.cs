namespace Sharpformer.Data.EnRu;

/// <summary>The three splits of the built-in corpus.</summary>
internal sealed record EnRuCorpus(IReadOnlyList<SentencePair> Train, IReadOnlyList<SentencePair> Valid, IReadOnlyList<SentencePair> Test);
