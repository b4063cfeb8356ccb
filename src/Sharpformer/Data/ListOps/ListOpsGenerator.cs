using Sharpformer.Tensors;

namespace Sharpformer.Data.ListOps;

/// <summary>
/// Draws random ListOps trees the way the Long Range Arena generator does: at each depth below the limit a node
/// is a leaf (a uniform digit) with probability 0.75, otherwise an operator (uniform among MAX, MIN, MED, SM) with
/// a uniform 2..max_args arguments drawn the same way one level deeper; at the depth limit it is always a leaf.
/// Trees whose length (tokens without parentheses) lies strictly between the bounds are kept, duplicates dropped,
/// until every split is full; the splits take the distinct trees in the order they were first drawn.
/// One seed gives the same files on every machine.
/// </summary>
internal static class ListOpsGenerator
{
    /// <summary>Draws one tree from the generator; the root has depth 1.</summary>
    public static ListOpsTree DrawTree(Rng rng, ListOpsGeneratorOptions options, int depth = 1)
    {
        if (depth >= options.MaxDepth || rng.NextDouble() < options.LeafProbability) return new ListOpsValue(rng.NextInt(10));
        int count = 2 + rng.NextInt(options.MaxArgs - 1);
        var arguments = new ListOpsTree[count];
        for (int i = 0; i < count; i++) arguments[i] = DrawTree(rng, options, depth + 1);
        var op = ListOpsOperators.All[rng.NextInt(ListOpsOperators.All.Count)];
        return new ListOpsNode(op, arguments);
    }

    public static ListOpsSplits Generate(ListOpsGeneratorOptions options)
    {
        options.Validated();
        var rng = new Rng(options.Seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<ListOpsExample>(options.TotalCount);
        // A setting whose trees rarely pass the filter, or that has fewer distinct trees than asked for, must stop.
        long drawLimit = 200L * options.TotalCount + 100_000, draws = 0;
        while (kept.Count < options.TotalCount)
        {
            if (++draws > drawLimit)
                throw new ArgumentException($"ListOps generator: only {kept.Count} of {options.TotalCount} distinct trees with " +
                    $"{options.MinLength} < length < {options.MaxLength} in {drawLimit:N0} draws; widen the length bounds or raise max depth / max args.");
            var tree = DrawTree(rng, options);
            if (tree.Length <= options.MinLength || tree.Length >= options.MaxLength) continue;
            var source = tree.ToSource();
            if (seen.Add(source)) kept.Add(new ListOpsExample(source, tree.Evaluate()));
        }
        int train = options.TrainCount, valid = options.ValidCount;
        return new ListOpsSplits(kept[..train], kept.Slice(train, valid), kept[(train + valid)..]);
    }
}
