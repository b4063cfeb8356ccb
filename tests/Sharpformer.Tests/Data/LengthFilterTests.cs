using Sharpformer.Data;

namespace Sharpformer.Tests.Data;

public class LengthFilterTests
{
    private static readonly SentencePair Short = new("a b", "в г");
    private static readonly SentencePair Long = new("a b c d e f", "в г д е ж з");
    private static readonly SentencePair Unbalanced = new("a", "в г д е");

    [Fact]
    public void MaxTokensDropsLongPairs() =>
        Assert.Equal([Short, Unbalanced], new LengthFilter { MaxTokens = 4 }.Apply([Short, Long, Unbalanced]));

    [Fact]
    public void MaxRatioDropsUnbalancedPairs() =>
        Assert.Equal([Short, Long], new LengthFilter { MaxRatio = 3 }.Apply([Short, Long, Unbalanced]));

    [Fact]
    public void MaxCharsCountsCharacters() =>
        Assert.Equal([Short, Unbalanced], new LengthFilter { MaxChars = 7 }.Apply([Short, Long, Unbalanced]));

    [Fact]
    public void CustomTokenCounterIsUsed()
    {
        // Count characters as tokens: "a b" has 3.
        Assert.Equal([Short], new LengthFilter { MaxTokens = 3 }.Apply([Short, Long], s => s.Length));
    }

    [Fact]
    public void InvalidLimitsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new LengthFilter { MaxRatio = 0.5 }.Apply([Short]));
        Assert.Throws<ArgumentException>(() => new LengthFilter { MaxTokens = 0 }.Apply([Short]));
    }
}
