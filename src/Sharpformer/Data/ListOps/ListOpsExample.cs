namespace Sharpformer.Data.ListOps;

/// <summary>One line of a ListOps file: the source string (with parentheses) and its value, the class 0–9.</summary>
public sealed record ListOpsExample(string Source, int Target)
{
    public static ListOpsExample From(ListOpsTree tree) => new(tree.ToSource(), tree.Evaluate());

    /// <summary>The classifier's input: the classification token, then the source's tokens (parentheses included).</summary>
    public ClassificationExample Encode() => new([ListOpsVocabulary.Cls, .. ListOpsVocabulary.Encode(Source)], Target);
}

/// <summary>The three splits of a ListOps data set.</summary>
public sealed record ListOpsSplits(IReadOnlyList<ListOpsExample> Train, IReadOnlyList<ListOpsExample> Valid, IReadOnlyList<ListOpsExample> Test);
