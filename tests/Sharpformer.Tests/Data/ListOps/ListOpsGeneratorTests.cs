using Sharpformer.Data.ListOps;

namespace Sharpformer.Tests.Data.ListOps;

public class ListOpsGeneratorTests
{
    private static readonly ListOpsGeneratorOptions Small = new() { TrainCount = 300, ValidCount = 40, TestCount = 40, Seed = 5 };

    [Fact]
    public void OneSeedGivesTheSameSplitsAndAnotherSeedOthers()
    {
        var a = ListOpsGenerator.Generate(Small);
        var b = ListOpsGenerator.Generate(Small);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Valid, b.Valid);
        Assert.Equal(a.Test, b.Test);
        var c = ListOpsGenerator.Generate(Small with { Seed = 6 });
        Assert.NotEqual(a.Train, c.Train);
    }

    [Theory]
    [InlineData(4, 5, 10, 100)]
    [InlineData(3, 3, 5, 12)]
    [InlineData(6, 8, 60, 200)]
    public void KeepsDistinctTreesWithinTheLimitsLabelledByTheirValue(int maxDepth, int maxArgs, int minLength, int maxLength)
    {
        var options = Small with { MaxDepth = maxDepth, MaxArgs = maxArgs, MinLength = minLength, MaxLength = maxLength };
        var splits = ListOpsGenerator.Generate(options);
        Assert.Equal([300, 40, 40], new[] { splits.Train.Count, splits.Valid.Count, splits.Test.Count });
        var all = splits.Train.Concat(splits.Valid).Concat(splits.Test).ToList();
        Assert.Equal(all.Count, all.Select(e => e.Source).Distinct().Count());
        foreach (var example in all)
        {
            var tree = ListOpsTree.Parse(example.Source);
            Assert.Equal(example.Source, tree.ToSource());
            Assert.InRange(tree.Length, minLength + 1, maxLength - 1);
            Assert.Equal(tree.Evaluate(), example.Target);
            Assert.InRange(Depth(tree), 1, maxDepth);
            Assert.All(Nodes(tree), n => Assert.InRange(n.Arguments.Count, 2, maxArgs));
        }
        // Every operator and every label turns up in a few hundred trees.
        Assert.Equal(4, all.SelectMany(e => Nodes(ListOpsTree.Parse(e.Source))).Select(n => n.Operator).Distinct().Count());
    }

    [Fact]
    public void EveryTargetIsTheValueOfItsSourceReadTokenByToken()
    {
        // An evaluator of the source text written apart from ListOpsTree: operators and digits on a stack, each "]"
        // applies the innermost operator to the values pushed since it (median of an even count: the truncated mean
        // of the middle two, as the Long Range Arena's int(np.median(...))).
        static int Evaluate(string source)
        {
            var stack = new Stack<(string? Op, int Value)>();
            foreach (var token in source.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (token is "(" or ")") continue; // the Long Range Arena's parentheses carry no meaning
                if (token.StartsWith('[')) { stack.Push((token, 0)); continue; }
                if (token != "]") { stack.Push((null, int.Parse(token))); continue; }
                var args = new List<int>();
                while (stack.Peek().Op == null) args.Add(stack.Pop().Value);
                string op = stack.Pop().Op!;
                args.Sort();
                int value = op switch
                {
                    "[MAX" => args[^1],
                    "[MIN" => args[0],
                    "[SM" => args.Sum() % 10,
                    "[MED" => args.Count % 2 == 1 ? args[args.Count / 2] : (args[args.Count / 2 - 1] + args[args.Count / 2]) / 2,
                    _ => throw new InvalidDataException(op),
                };
                stack.Push((null, value));
            }
            Assert.Single(stack);
            return stack.Pop().Value;
        }
        var splits = ListOpsGenerator.Generate(Small with { MaxDepth = 5, MaxArgs = 6, MinLength = 10, MaxLength = 120 });
        var all = splits.Train.Concat(splits.Valid).Concat(splits.Test).ToList();
        foreach (var example in all) Assert.Equal(Evaluate(example.Source), example.Target);
        Assert.True(all.Select(e => e.Target).Distinct().Count() == 10, "every label 0–9 should occur in a few hundred trees");
    }

    [Fact]
    public void ASettingWithTooFewDistinctTreesStopsWithAnError()
    {
        // Depth 2 and two arguments: only OP(d, d) has 3 < length < 5, i.e. 4 · 10 · 10 = 400 distinct trees.
        var options = new ListOpsGeneratorOptions { MaxDepth = 2, MaxArgs = 2, MinLength = 3, MaxLength = 5, TrainCount = 500, ValidCount = 0, TestCount = 0 };
        var e = Assert.Throws<ArgumentException>(() => ListOpsGenerator.Generate(options));
        Assert.Contains("400 of 500", e.Message);
    }

    [Fact]
    public void PaperSettingIsTheLongRangeArenaOne()
    {
        var paper = ListOpsGeneratorOptions.Paper;
        Assert.Equal((10, 10, 500, 2000), (paper.MaxDepth, paper.MaxArgs, paper.MinLength, paper.MaxLength));
        Assert.Equal((96_000, 2_000, 2_000), (paper.TrainCount, paper.ValidCount, paper.TestCount));
        var few = ListOpsGenerator.Generate(paper with { TrainCount = 3, ValidCount = 1, TestCount = 1 });
        Assert.All(few.Train, e => Assert.InRange(ListOpsTree.Parse(e.Source).Length, 501, 1999));
    }

    private static int Depth(ListOpsTree tree) => tree is ListOpsNode node ? 1 + node.Arguments.Max(Depth) : 1;

    private static IEnumerable<ListOpsNode> Nodes(ListOpsTree tree) =>
        tree is ListOpsNode node ? node.Arguments.SelectMany(Nodes).Prepend(node) : [];
}
