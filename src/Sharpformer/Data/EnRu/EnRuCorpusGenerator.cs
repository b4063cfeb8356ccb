using Sharpformer.Tensors;

namespace Sharpformer.Data.EnRu;

/// <summary>
/// Generates the built-in English→Russian corpus: distinct sentence pairs drawn with a seeded generator, split so
/// that the validation and test sets test generalisation to unseen word combinations. Each combination
/// (verb–instrument, subject–object, adjective–noun) is assigned once, by a hash of the seed and the combination,
/// to training, validation-only or test-only; a sentence goes to test if it has a test-only combination, else to
/// validation if it has a validation-only one, else to training. So every combination in the test split is unseen
/// in training and validation, while every single word still occurs in training.
/// </summary>
internal static class EnRuCorpusGenerator
{
    public enum Split { Train, Valid, Test }

    public static EnRuCorpus Generate(EnRuCorpusOptions? options = null)
    {
        var (train, valid, test) = GenerateClauses(options);
        return new EnRuCorpus(Pairs(train), Pairs(valid), Pairs(test));
    }

    /// <summary>The clauses behind <see cref="Generate"/>, per split, in the same order (distinct English sentences).</summary>
    public static (List<EnRuClause> Train, List<EnRuClause> Valid, List<EnRuClause> Test) GenerateClauses(EnRuCorpusOptions? options = null)
    {
        options ??= new EnRuCorpusOptions();
        var sampler = new EnRuClauseSampler(options);
        var rng = new Rng(options.Seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (options.ExcludeShowcase)
            foreach (var clause in EnRuShowcase.Clauses()) seen.Add(clause.English());
        var splits = new[] { new List<EnRuClause>(options.TrainCount), new List<EnRuClause>(options.ValidCount), new List<EnRuClause>(options.TestCount) };
        int[] wanted = [options.TrainCount, options.ValidCount, options.TestCount];
        long total = (long)wanted[0] + wanted[1] + wanted[2];
        // The held-out splits take a few percent of draws; allow ample draws before concluding the space is exhausted.
        long maxDraws = Math.Max(100_000, 200 * total);
        for (long draws = 0; Enumerable.Range(0, 3).Any(k => splits[k].Count < wanted[k]); draws++)
        {
            if (draws >= maxDraws)
                throw new ArgumentException($"Could not draw {wanted[0]}/{wanted[1]}/{wanted[2]} distinct pairs in {maxDraws} draws " +
                    $"(got {splits[0].Count}/{splits[1].Count}/{splits[2].Count}); ask for fewer or raise HeldOutCombinationFraction.", nameof(options));
            var clause = sampler.Next(rng);
            int k = (int)SplitOf(clause, options);
            if (splits[k].Count < wanted[k] && seen.Add(clause.English())) splits[k].Add(clause);
        }
        return (splits[0], splits[1], splits[2]);
    }

    private static List<SentencePair> Pairs(List<EnRuClause> clauses) => clauses.Select(c => c.ToPair()).ToList();

    /// <summary>The split a clause belongs to under these options' seed and held-out fraction.</summary>
    public static Split SplitOf(EnRuClause clause, EnRuCorpusOptions options)
    {
        var split = Split.Train;
        foreach (var combination in clause.Combinations())
        {
            var s = SplitOf(combination, options.Seed, options.HeldOutCombinationFraction);
            if (s == Split.Test) return Split.Test;
            if (s == Split.Valid) split = Split.Valid;
        }
        return split;
    }

    /// <summary>The split one combination key is assigned to: a uniform draw from a hash of seed and key.</summary>
    public static Split SplitOf(string combination, ulong seed, double heldOutFraction)
    {
        double u = new Rng(seed ^ Fnv1a(combination)).NextDouble();
        return u < heldOutFraction / 2 ? Split.Test : u < heldOutFraction ? Split.Valid : Split.Train;
    }

    /// <summary>64-bit FNV-1a over the UTF-16 code units: stable across runs, unlike string.GetHashCode.</summary>
    private static ulong Fnv1a(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}
