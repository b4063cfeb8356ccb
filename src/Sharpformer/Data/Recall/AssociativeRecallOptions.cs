namespace Sharpformer.Data.Recall;

/// <summary>
/// The shape of an associative-recall sequence: <see cref="Length"/> tokens holding <see cref="Pairs"/>
/// key–value pairs, of which <see cref="Queries"/> are asked for at the end; keys and values come from
/// alphabets of <see cref="Keys"/> and <see cref="Values"/> tokens.
/// </summary>
internal sealed record AssociativeRecallOptions
{
    public int Length { get; init; } = 1024;
    public int Pairs { get; init; } = 8;
    /// <summary>Queries per sequence; null asks for every pair.</summary>
    public int? QueryCount { get; init; }
    public int Keys { get; init; } = 16;
    public int Values { get; init; } = 16;
    /// <summary>Each key has its own value tokens (Keys × Values of them), so a value names its key.</summary>
    public bool KeyedValues { get; init; }
    /// <summary>
    /// Queries use tokens of their own (q3 asks for the value of k3), so a query never meets an identical
    /// token earlier in the sequence: attention whose queries and keys are one projection (LSH) otherwise
    /// finds the key's earlier copy, not its value.
    /// </summary>
    public bool DistinctQueries { get; init; }

    public int Queries => QueryCount ?? Pairs;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public AssociativeRecallOptions Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"recall: {what}."); }
        Require(Pairs >= 1, $"pairs must be ≥ 1, got {Pairs}");
        Require(Keys >= Pairs, $"keys ({Keys}) must be ≥ pairs ({Pairs}): keys within a sequence are distinct");
        Require(Values >= 2, $"values must be ≥ 2, got {Values}");
        Require(Queries >= 1 && Queries <= Pairs, $"queries must be in [1, pairs = {Pairs}], got {Queries}");
        int needed = 2 * Pairs + 1 + 2 * Queries;
        Require(Length >= needed, $"length must be ≥ {needed} to hold {Pairs} pairs, the query marker and {Queries} queries, got {Length}");
        return this;
    }
}
