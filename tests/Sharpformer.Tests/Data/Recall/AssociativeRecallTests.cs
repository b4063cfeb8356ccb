using Sharpformer.Data;
using Sharpformer.Data.Recall;
using Sharpformer.Tensors;

namespace Sharpformer.Tests.Data.Recall;

public class AssociativeRecallTests
{
    private static (int[] Inputs, int[] Targets) Draw(AssociativeRecall task, Rng rng)
    {
        var inputs = new int[task.Length];
        var targets = new int[task.Length];
        task.Sample(rng, inputs, targets);
        return (inputs, targets);
    }

    public static TheoryData<int, int, int?, bool> Shapes => new()
    {
        { 1024, 8, null, false },
        { 33, 8, null, false },     // the shortest sequence that holds 8 pairs and 8 queries: no filler at all
        { 97, 5, 2, false },
        { 8, 1, 1, false },
        { 4096, 16, 4, false },
        { 1024, 8, null, true },
        { 33, 8, 3, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryAnswerIsTheValuePairedWithItsKey(int length, int pairs, int? queries, bool keyed)
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = length, Pairs = pairs, QueryCount = queries, Keys = 16, Values = 8, KeyedValues = keyed });
        Assert.Equal(keyed ? 2 + 16 + 16 * 8 : 2 + 16 + 8, task.VocabSize);
        var rng = new Rng(3);
        for (int draw = 0; draw < 50; draw++)
        {
            var (inputs, targets) = Draw(task, rng);
            Assert.Equal(length, inputs.Length);
            Assert.All(inputs, id => Assert.InRange(id, 0, task.VocabSize - 1));

            // The prefix: pairs of (key, value) in filler, keys distinct.
            var valueOf = new Dictionary<int, int>();
            for (int i = 0; i < task.QueryStart; i++)
            {
                if (inputs[i] == AssociativeRecall.Filler) continue;
                Assert.InRange(inputs[i], AssociativeRecall.FirstKey, task.FirstValue - 1);
                Assert.InRange(inputs[i + 1], task.FirstValue, task.VocabSize - 1);
                if (keyed) Assert.InRange(inputs[i + 1], task.ValueId(inputs[i], 0), task.ValueId(inputs[i], 7));
                Assert.True(valueOf.TryAdd(inputs[i], inputs[i + 1]), $"key {inputs[i]} twice: {task.Render(inputs)}");
                i++;
            }
            Assert.Equal(pairs, valueOf.Count);

            // The queries: marker, then distinct keys of the prefix, each followed by its value, which is the target.
            Assert.Equal(AssociativeRecall.QueryMarker, inputs[task.QueryStart]);
            var asked = new HashSet<int>();
            for (int at = task.QueryStart + 1; at < length; at += 2)
            {
                int key = inputs[at];
                Assert.True(asked.Add(key));
                Assert.Equal(valueOf[key], inputs[at + 1]);
                Assert.Equal(valueOf[key], targets[at]);
            }
            Assert.Equal(task.Options.Queries, asked.Count);

            // Only the query keys are scored.
            for (int i = 0; i < length; i++)
            {
                bool isQuery = i > task.QueryStart && (i - task.QueryStart) % 2 == 1;
                Assert.Equal(isQuery, targets[i] != ISequenceTask.IgnoreIndex);
            }
        }
    }

    [Fact]
    public void SameSeedSameSequencesOtherSeedOthers()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 256 });
        var (a, ta) = Draw(task, new Rng(7));
        var (b, tb) = Draw(task, new Rng(7));
        var (c, _) = Draw(task, new Rng(8));
        Assert.Equal(a, b);
        Assert.Equal(ta, tb);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void PairsLieAnywhereFromNearToFar()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 1024 });
        var rng = new Rng(11);
        int nearest = int.MaxValue, farthest = 0;
        for (int draw = 0; draw < 200; draw++)
        {
            var (inputs, targets) = Draw(task, rng);
            for (int at = task.QueryStart + 1; at < task.Length; at += 2)
            {
                int distance = at - Array.IndexOf(inputs, inputs[at]);
                nearest = Math.Min(nearest, distance);
                farthest = Math.Max(farthest, distance);
            }
        }
        Assert.True(nearest < 64, $"nearest pair {nearest} tokens back");
        Assert.True(farthest > 960, $"farthest pair {farthest} tokens back");
    }

    [Theory]
    [InlineData(32, 8, null, 16, "length")]
    [InlineData(1024, 17, null, 16, "keys")]
    [InlineData(1024, 8, 9, 16, "queries")]
    [InlineData(1024, 8, null, 1, "values")]
    [InlineData(1024, 0, null, 16, "pairs")]
    public void OptionsOutOfRangeAreNamed(int length, int pairs, int? queries, int values, string named)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new AssociativeRecall(new AssociativeRecallOptions { Length = length, Pairs = pairs, QueryCount = queries, Values = values }));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void DistinctQueriesAskWithTokensOfTheirOwn()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 96, Pairs = 6, Keys = 8, Values = 4, KeyedValues = true, DistinctQueries = true });
        Assert.Equal(2 + 8 + 8 + 8 * 4, task.VocabSize);
        Assert.Equal(task.FirstQuery + 8, task.FirstValue);
        var rng = new Rng(5);
        for (int draw = 0; draw < 20; draw++)
        {
            var (inputs, targets) = Draw(task, rng);
            var valueOf = new Dictionary<int, int>();
            for (int i = 0; i < task.QueryStart; i++)
                if (inputs[i] != AssociativeRecall.Filler)
                {
                    Assert.InRange(inputs[i], AssociativeRecall.FirstKey, task.FirstQuery - 1);
                    valueOf[task.QueryId(inputs[i])] = inputs[++i];
                }
            for (int at = task.QueryStart + 1; at < inputs.Length; at += 2)
            {
                Assert.InRange(inputs[at], task.FirstQuery, task.FirstValue - 1);
                Assert.Equal(valueOf[inputs[at]], targets[at]);
                Assert.Equal(targets[at], inputs[at + 1]);
            }
        }
        var (shown, _) = Draw(new AssociativeRecall(task.Options with { Length = 9, Pairs = 1 }), new Rng(1));
        Assert.Matches(@"^(?:· )*k(?<key>\d) v\k<key>\.\d(?: ·)* \? q\k<key> v\k<key>\.\d$",
            new AssociativeRecall(task.Options with { Length = 9, Pairs = 1 }).Render(shown));
    }

    [Fact]
    public void RenderShowsTheFormat()
    {
        var task = new AssociativeRecall(new AssociativeRecallOptions { Length = 9, Pairs = 1, Keys = 4, Values = 4 });
        var (inputs, _) = Draw(task, new Rng(1));
        Assert.Matches(@"^(· )*k\d v\d( ·)* \? k\d v\d$", task.Render(inputs));
        var keyed = new AssociativeRecall(task.Options with { KeyedValues = true });
        keyed.Sample(new Rng(1), inputs, new int[9]);
        Assert.Matches(@"^(?:· )*k(?<key>\d) v\k<key>\.\d(?: ·)* \? k\k<key> v\k<key>\.\d$", keyed.Render(inputs));
    }
}
