using Sharpformer.Data.ListOps;

namespace Sharpformer.Tests.Data.ListOps;

public class ListOpsTreeTests
{
    [Theory]
    [InlineData("[MAX 2 9 ]", 9)]
    [InlineData("[MIN 4 7 1 ]", 1)]
    [InlineData("[SM 5 6 7 ]", 8)]
    [InlineData("[MED 1 8 3 ]", 3)]
    [InlineData("[MED 1 2 3 4 ]", 2)]        // (2 + 3) / 2 = 2.5, truncated
    [InlineData("[MED 9 8 ]", 8)]            // 8.5 -> 8
    [InlineData("[MED 7 0 9 9 ]", 8)]        // middle values 7 and 9
    [InlineData("[MAX 2 9 [MIN 4 7 ] 0 ]", 9)]
    [InlineData("[SM [MED 1 2 3 4 ] [MAX 5 [MIN 9 6 ] ] 8 ]", 6)]        // (2 + 6 + 8) mod 10
    [InlineData("[MED [SM 9 9 ] [MIN 3 4 ] 5 7 ]", 6)]                    // 8, 3, 5, 7 -> (5 + 7) / 2
    [InlineData("[MIN [MAX [MED 4 4 5 5 ] 3 ] [SM 9 ] ]", 4)]
    [InlineData("[MAX 4 3 [MIN 2 3 ] 1 0 [MED 1 5 8 9 2 ] ]", 5)]
    [InlineData("7", 7)]
    public void EvaluatesHandWrittenTrees(string text, int expected) => Assert.Equal(expected, ListOpsTree.Parse(text).Evaluate());

    [Fact]
    public void SourceNestsEachOperatorAsLeftPairsInParentheses()
    {
        var max = ListOpsTree.Parse("[MAX 2 9 ]");
        Assert.Equal("( ( ( [MAX 2 ) 9 ) ] )", max.ToSource());
        var nested = ListOpsTree.Parse("[SM 3 [MIN 1 0 ] ]");
        Assert.Equal("( ( ( [SM 3 ) ( ( ( [MIN 1 ) 0 ) ] ) ) ] )", nested.ToSource());
        Assert.Equal("[SM 3 [MIN 1 0 ] ]", ListOpsTree.Parse(nested.ToSource()).ToBracketString());
    }

    [Fact]
    public void LengthCountsOperatorsTwiceAndDigitsOnceButNoParentheses()
    {
        Assert.Equal(4, ListOpsTree.Parse("( ( ( [MAX 2 ) 9 ) ] )").Length);
        Assert.Equal(8, ListOpsTree.Parse("[SM 3 [MIN 1 0 ] 5 ]").Length);
        Assert.Equal(1, ListOpsTree.Parse("4").Length);
    }

    [Theory]
    [InlineData("[MAX 2 9")]
    [InlineData("[MAX ]")]
    [InlineData("[MAX 2 ] 3")]
    [InlineData("[AVG 2 3 ]")]
    [InlineData("[MAX 12 3 ]")]
    [InlineData("( ( [MAX 2 ) 9 ) ] )")]
    [InlineData("( ( ( [MAX 2 9 ) ) ] )")]
    public void RejectsMalformedExpressions(string text) => Assert.Throws<FormatException>(() => ListOpsTree.Parse(text));
}
