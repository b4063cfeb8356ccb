namespace Sharpformer.Data.ListOps;

/// <summary>One line of a ListOps file: the source string (with parentheses) and its value, the class 0–9.</summary>
internal sealed record ListOpsExample(string Source, int Target)
{
    public static ListOpsExample From(ListOpsTree tree) => new(tree.ToSource(), tree.Evaluate());

    /// <summary>
    /// The classifier's input: the classification token, then the source's tokens. Without
    /// <paramref name="parentheses"/> the sequence is about a third as long and still unambiguous (each operator is
    /// closed by "]"): the length the LRA length filter counts, plus one.
    /// </summary>
    public ClassificationExample Encode(bool parentheses = true)
    {
        var ids = ListOpsVocabulary.Encode(Source);
        if (!parentheses) ids = ids.Where(id => id is not (ListOpsVocabulary.OpenParenthesis or ListOpsVocabulary.CloseParenthesis)).ToArray();
        return new([ListOpsVocabulary.Cls, .. ids], Target);
    }
}

/// <summary>The three splits of a ListOps data set.</summary>
internal sealed record ListOpsSplits(IReadOnlyList<ListOpsExample> Train, IReadOnlyList<ListOpsExample> Valid, IReadOnlyList<ListOpsExample> Test);
