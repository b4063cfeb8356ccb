using Sharpformer.Generation;

namespace Sharpformer.Tests.Generation;

public class SamplerTests
{
    private static readonly float[] Logits = [0.1f, 2.5f, -1f, 2.4f, 0f];

    [Fact]
    public void GreedyAndTopOneTakeTheArgmax()
    {
        Assert.Equal(1, new Sampler(new SamplingOptions(Temperature: 0)).Next(Logits));
        var topOne = new Sampler(new SamplingOptions(Temperature: 1, TopK: 1, Seed: 9));
        for (int i = 0; i < 20; i++) Assert.Equal(1, topOne.Next(Logits));
        var nucleus = new Sampler(new SamplingOptions(Temperature: 1, TopK: null, TopP: 0.01f, Seed: 9));
        for (int i = 0; i < 20; i++) Assert.Equal(1, nucleus.Next(Logits));
    }

    [Fact]
    public void TopKNeverDrawsOutsideTheKept()
    {
        var s = new Sampler(new SamplingOptions(Temperature: 5, TopK: 2, Seed: 1));
        var seen = Enumerable.Range(0, 400).Select(_ => s.Next(Logits)).ToHashSet();
        Assert.Equal([1, 3], seen.Order());
    }

    [Fact]
    public void FrequenciesFollowTheSoftmax()
    {
        var s = new Sampler(new SamplingOptions(Temperature: 1, TopK: null, Seed: 2));
        var counts = new int[5];
        const int n = 40_000;
        for (int i = 0; i < n; i++) counts[s.Next(Logits)]++;
        var p = Logits.Select(x => Math.Exp(x)).ToArray();
        double z = p.Sum();
        for (int i = 0; i < 5; i++) Assert.Equal(p[i] / z, counts[i] / (double)n, 0.01);
    }

    [Fact]
    public void BadOptionsNameTheFlag()
    {
        Assert.Contains("--top-p", Assert.Throws<ArgumentException>(() => new Sampler(new SamplingOptions(TopP: 1.5f))).Message);
        Assert.Contains("--temperature", Assert.Throws<ArgumentException>(() => new Sampler(new SamplingOptions(Temperature: -1))).Message);
    }
}
