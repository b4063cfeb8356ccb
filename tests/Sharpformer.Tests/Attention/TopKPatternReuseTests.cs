using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;
using Sharpformer.Tests.Tensors;

namespace Sharpformer.Tests.Attention;

/// <summary>The tapes' pattern pool is process-wide, so this runs while no other test does.</summary>
[Collection(nameof(TensorTests))]
public class TopKPatternReuseTests
{
    [Fact]
    public void TheNextStepReusesThePatternsOfTheLast()
    {
        var rng = new Rng(5);
        var q = VariantRunner.Param(rng, 1, 2, 40, 4);
        var k = VariantRunner.Param(rng, 1, 2, 40, 4);
        var v = VariantRunner.Param(rng, 1, 2, 40, 4);
        var variant = new TopKVariant(topBlocks: 1, localBlocks: 1, tileSize: 8);
        var tape = new Tape();
        variant.Forward(tape, q, k, v, AttentionMask.CausalOnly);
        variant.Forward(tape, q, k, v, AttentionMask.None);
        tape.Reset();
        // The next step gets back the two patterns the calls chose (built for B·nh = 2 and 40 / 8 query tiles),
        // not new ones.
        using var next = new Tape();
        foreach (var pattern in new[] { next.BorrowPattern(), next.BorrowPattern() })
        {
            Assert.True(pattern.IsComplete);
            Assert.Equal((2, 5), (pattern.Groups, pattern.QueryTiles));
        }
    }
}
