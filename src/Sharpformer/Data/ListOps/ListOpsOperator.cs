namespace Sharpformer.Data.ListOps;

/// <summary>The four operators of the Long Range Arena ListOps task; each reduces a list of digits to one digit.</summary>
internal enum ListOpsOperator
{
    /// <summary>The largest argument.</summary>
    Max,
    /// <summary>The smallest argument.</summary>
    Min,
    /// <summary>The median; for an even count the mean of the two middle values, truncated to an integer.</summary>
    Median,
    /// <summary>The sum modulo 10.</summary>
    SumMod,
}

/// <summary>How operators are written in a ListOps source string, and what they compute.</summary>
internal static class ListOpsOperators
{
    public static IReadOnlyList<ListOpsOperator> All { get; } = [ListOpsOperator.Max, ListOpsOperator.Min, ListOpsOperator.Median, ListOpsOperator.SumMod];

    /// <summary>The opening token: "[MAX", "[MIN", "[MED" or "[SM".</summary>
    public static string Token(this ListOpsOperator op) => op switch
    {
        ListOpsOperator.Max => "[MAX",
        ListOpsOperator.Min => "[MIN",
        ListOpsOperator.Median => "[MED",
        ListOpsOperator.SumMod => "[SM",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a ListOps operator"),
    };

    public static bool TryParse(string token, out ListOpsOperator op)
    {
        foreach (var candidate in All)
            if (candidate.Token() == token) { op = candidate; return true; }
        op = default;
        return false;
    }

    /// <summary>Applies the operator to digit values (at least one).</summary>
    public static int Apply(this ListOpsOperator op, IReadOnlyList<int> values)
    {
        if (values.Count == 0) throw new ArgumentException($"{op.Token()} needs at least one argument.", nameof(values));
        switch (op)
        {
            case ListOpsOperator.Max: return values.Max();
            case ListOpsOperator.Min: return values.Min();
            case ListOpsOperator.SumMod: return values.Sum() % 10;
            case ListOpsOperator.Median:
                var sorted = values.Order().ToArray();
                int mid = sorted.Length / 2;
                // Values are non-negative, so integer division truncates the mean of the middle two as int() does.
                return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "not a ListOps operator");
        }
    }
}
