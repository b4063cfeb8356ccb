namespace Sharpformer.Data.ListOps;

/// <summary>
/// How ListOps trees are drawn and which are kept. <see cref="Paper"/> is the Long Range Arena setting
/// (sequences of 500–2,000 tokens); the default is a CPU-sized one (10–100 tokens) with the same generator.
/// </summary>
internal sealed record ListOpsGeneratorOptions
{
    /// <summary>Depth at which every node is a leaf (the root has depth 1).</summary>
    public int MaxDepth { get; init; } = 4;

    /// <summary>An operator node gets between 2 and this many arguments, uniformly.</summary>
    public int MaxArgs { get; init; } = 5;

    /// <summary>Above this depth limit a node is a leaf with this probability, otherwise an operator.</summary>
    public double LeafProbability { get; init; } = 0.75;

    /// <summary>A tree is kept iff MinLength &lt; length &lt; MaxLength, the length counting tokens without parentheses.</summary>
    public int MinLength { get; init; } = 10;

    public int MaxLength { get; init; } = 100;

    public int TrainCount { get; init; } = 20_000;
    public int ValidCount { get; init; } = 1_000;
    public int TestCount { get; init; } = 1_000;
    public ulong Seed { get; init; } = 1;

    /// <summary>The released LRA task: depth 10, up to 10 arguments, 500 &lt; length &lt; 2,000, 96,000/2,000/2,000 trees.</summary>
    public static ListOpsGeneratorOptions Paper { get; } = new()
    {
        MaxDepth = 10, MaxArgs = 10, MinLength = 500, MaxLength = 2000, TrainCount = 96_000, ValidCount = 2_000, TestCount = 2_000,
    };

    public int TotalCount => TrainCount + ValidCount + TestCount;

    public ListOpsGeneratorOptions Validated()
    {
        void Require(bool ok, string what) { if (!ok) throw new ArgumentException($"ListOps generator: {what}."); }
        Require(MaxDepth is >= 1 and <= ListOpsTree.MaxDepth, $"max depth must be in [1, {ListOpsTree.MaxDepth}], got {MaxDepth}");
        Require(MaxArgs >= 2, $"max args must be ≥ 2, got {MaxArgs}");
        Require(LeafProbability is >= 0 and < 1, $"leaf probability must be in [0, 1), got {LeafProbability}");
        Require(MinLength >= 0 && MaxLength > MinLength + 1, $"need 0 ≤ min length and min length + 1 < max length, got {MinLength} and {MaxLength}");
        Require(TrainCount >= 0 && ValidCount >= 0 && TestCount >= 0 && TotalCount >= 1,
            $"split sizes must be ≥ 0 and not all 0, got {TrainCount}/{ValidCount}/{TestCount}");
        return this;
    }
}
