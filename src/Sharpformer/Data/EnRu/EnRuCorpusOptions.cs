namespace Sharpformer.Data.EnRu;

/// <summary>Sizes, seed and grammar mix of the built-in English→Russian corpus.</summary>
internal sealed record EnRuCorpusOptions
{
    public int TrainCount { get; init; } = 40_000;
    public int ValidCount { get; init; } = 1_000;
    public int TestCount { get; init; } = 1_000;
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Share of word combinations (verb–instrument, subject–object, adjective–noun) kept out of training; half of
    /// them appear only in the validation split, half only in the test split.
    /// </summary>
    public double HeldOutCombinationFraction { get; init; } = 0.04;

    /// <summary>Relative weights of Plain, Passive, InstrumentFocus, SubjectFocus, ObjectFocus.</summary>
    public IReadOnlyList<double> ConstructionWeights { get; init; } = [0.4, 0.15, 0.15, 0.15, 0.15];

    public double NegationProbability { get; init; } = 0.15;
    public double TimeProbability { get; init; } = 0.3;

    /// <summary>Chance that a common noun (not a name or pronoun) gets an adjective.</summary>
    public double AdjectiveProbability { get; init; } = 0.25;

    /// <summary>Chance that the subject or object is a pronoun rather than a noun.</summary>
    public double PronounProbability { get; init; } = 0.15;

    public EnRuLexicon Lexicon { get; init; } = EnRuLexicon.Default;

    /// <summary>Keep the <see cref="EnRuShowcase"/> sentences out of every split.</summary>
    public bool ExcludeShowcase { get; init; } = true;

    internal void Validate()
    {
        if (TrainCount < 0 || ValidCount < 0 || TestCount < 0)
            throw new ArgumentException($"Split sizes must be non-negative, got {TrainCount}/{ValidCount}/{TestCount}.", nameof(TrainCount));
        if (!(HeldOutCombinationFraction > 0 && HeldOutCombinationFraction < 0.5))
            throw new ArgumentException($"HeldOutCombinationFraction must be in (0, 0.5), got {HeldOutCombinationFraction}.", nameof(HeldOutCombinationFraction));
        if (ConstructionWeights.Count != Enum.GetValues<Construction>().Length || ConstructionWeights.Any(w => w < 0) || ConstructionWeights.Sum() <= 0)
            throw new ArgumentException($"ConstructionWeights needs {Enum.GetValues<Construction>().Length} non-negative weights with a positive sum.", nameof(ConstructionWeights));
        foreach (var (p, name) in new[] { (NegationProbability, nameof(NegationProbability)), (TimeProbability, nameof(TimeProbability)),
                     (AdjectiveProbability, nameof(AdjectiveProbability)), (PronounProbability, nameof(PronounProbability)) })
            if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{name} must be in [0, 1], got {p}.", name);
    }
}
