using Sharpformer.Data.ListOps;

namespace Sharpformer.Tests.Data.ListOps;

public sealed class ListOpsGrammarTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-listops-grammar-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string? Check(string source) => ListOpsGrammar.Check(ListOpsVocabulary.Encode(source));

    [Theory]
    [InlineData("7")]
    [InlineData("[MAX 2 9 ]")]
    [InlineData("[SM 3 [MED 1 8 ] ]")]
    [InlineData("( ( ( [MAX 2 ) 9 ) ] )")]
    [InlineData("( ( ( [MED 0 ) ( ( ( [SM 9 ) 3 ) ] ) ) ] )")]
    [InlineData("( ( [MIN 4 ) ] )")]
    public void WellFormedExpressionsPass(string source)
    {
        Assert.Null(Check(source));
        ListOpsTree.Parse(source);
    }

    [Theory]
    [InlineData("] ] ]", "token 1 is ']'")]
    [InlineData("[MAX 2 9", "ends where an argument is expected")]
    [InlineData("[MAX ]", "token 2 is ']'")]
    [InlineData("[MAX 2 9 ] 3", "'3' (token 5) follows a complete expression")]
    [InlineData("2 3", "follows a complete expression")]
    [InlineData("( ( ( [MAX 2 ) 9 ) )", "expected ']' closing [MAX")]
    [InlineData("( ( [MAX 2 ) 9 ) ] )", "expected ']' closing [MAX")]
    [InlineData("( ( ( [MAX 2 ) 9 ] )", "expected ')' after an argument")]
    [InlineData("( [MAX 2 ) ] )", "has 1 '(' before it")]
    [InlineData("( ( ( [MAX 2 ) ( 9 ) ) ] )", "the digit 9 (token 8) is wrapped")]
    [InlineData("( ( ( [MAX 2 ) 9 ) ]", "ends where ')' after ']' is expected")]
    [InlineData(")", "token 1 is ')'")]
    [InlineData("", "empty")]
    public void MalformedExpressionsAreNamed(string source, string expected)
    {
        var error = Check(source);
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void NestingIsBoundedWithoutRecursion()
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat("[MAX 1 ", depth)) + string.Concat(Enumerable.Repeat("] ", depth));
        Assert.Null(Check(Nested(ListOpsTree.MaxDepth)));
        Assert.Contains($"nests deeper than {ListOpsTree.MaxDepth}", Check(Nested(ListOpsTree.MaxDepth + 1)));
        Assert.Contains("nests deeper", Check(Nested(200_000))); // no stack overflow
        Assert.Contains("nests deeper", Assert.Throws<FormatException>(() => ListOpsTree.Parse(Nested(200_000))).Message);
        Assert.Throws<ArgumentException>(() => new ListOpsGeneratorOptions { MaxDepth = ListOpsTree.MaxDepth + 1 }.Validated());
    }

    /// <summary>The linear check accepts exactly what the recursive parser accepts, on generated trees and on mutations of them.</summary>
    [Fact]
    public void AgreesWithTheParserOnMutatedTrees()
    {
        var examples = ListOpsGenerator.Generate(new ListOpsGeneratorOptions { TrainCount = 300, ValidCount = 0, TestCount = 0, Seed = 7 }).Train;
        var random = new Random(11);
        string[] tokens = ["[MAX", "[MIN", "[MED", "[SM", "]", "(", ")", "0", "5", "9"];
        int accepted = 0, refused = 0;
        foreach (var example in examples)
        {
            foreach (var source in new[] { example.Source, ListOpsVocabulary.Decode(example.Encode(parentheses: false).Tokens[1..]) })
            {
                Assert.Null(Check(source));
                for (int m = 0; m < 6; m++)
                {
                    var words = source.Split(' ').ToList();
                    int at = random.Next(words.Count);
                    switch (random.Next(3))
                    {
                        case 0: words.RemoveAt(at); break;
                        case 1: words.Insert(at, tokens[random.Next(tokens.Length)]); break;
                        default: words[at] = tokens[random.Next(tokens.Length)]; break;
                    }
                    var mutated = string.Join(' ', words);
                    bool parses;
                    try { ListOpsTree.Parse(mutated); parses = true; }
                    catch (FormatException) { parses = false; }
                    Assert.True(parses == (Check(mutated) == null), $"'{mutated}': parser {(parses ? "accepts" : "refuses")}, grammar says {Check(mutated) ?? "fine"}");
                    if (parses) accepted++; else refused++;
                }
            }
        }
        Assert.True(accepted > 100 && refused > 100, $"{accepted} accepted, {refused} refused");
    }

    [Theory]
    [InlineData("] ] ]\t3", "not a ListOps expression: token 1 is ']'")]
    [InlineData("( ( ( [MAX 2 ) 9 ) ] ) 4\t9", "follows a complete expression")]
    [InlineData("[MIN 1 [MAX 2 ]\t1", "ends where")]
    public void TsvLinesMustBeExpressions(string line, string expected)
    {
        var path = Path.Combine(_dir, "bad.tsv");
        File.WriteAllText(path, "Source\tTarget\n[MAX 2 9 ]\t9\n" + line + "\n");
        var e = Assert.Throws<InvalidDataException>(() => ListOpsTsv.Read(path));
        Assert.Contains($"{path}:3:", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
