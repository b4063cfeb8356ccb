using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tests.Autograd;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Models;

public class GptTests
{
    private static Gpt Tiny(bool bias = true, int vocab = 7, int block = 6) => new(new GptConfig(2, 2, 8, block, vocab, Bias: bias), seed: 3);

    [Fact]
    public void WholeTwoLayerModelPassesGradientCheck()
    {
        var model = Tiny();
        // Larger weights than GPT-2's 0.02 so every path contributes measurably to the loss.
        var rng = new Sharpformer.Tensors.Rng(8);
        foreach (var p in model.Parameters()) if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, 0.5f);
        int[] ids = [1, 4, 2, 6, 0, 3, 3, 5];
        int[] targets = [4, 2, 6, 0, 3, 3, 5, 1];
        GradCheck.Check(t => model.Loss(t, ids, targets, 2, 4), model.Parameters().ToArray(), eps: 1e-2, maxPerInput: 6);
    }

    [Fact]
    public void ParametersHaveGpt2NamesAndTiedHead()
    {
        var model = Tiny(bias: false);
        var names = model.NamedParameters().Select(p => p.Name).ToList();
        Assert.Contains("wte.weight", names);
        Assert.Contains("blocks.1.attn.qkv.weight", names);
        Assert.Contains("blocks.0.mlp.down.weight", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".bias"));
        Assert.DoesNotContain(names, n => n.Contains("lm_head"));
        // 2 layers × (qkv 3·8·8 + proj 8·8 + mlp 2·8·32 + 2 LN 8) + wte 7·8 + wpe 6·8 + ln_f 8
        Assert.Equal(2 * (192 + 64 + 512 + 16) + 56 + 48 + 8, model.ParameterCount());
    }

    [Fact]
    public void CachedAndUncachedGenerationGiveTheSameLogits()
    {
        var model = Tiny(vocab: 11, block: 16);
        var rng = new Sharpformer.Tensors.Rng(4);
        foreach (var p in model.Parameters()) if (p.Value.Rank == 2) rng.FillNormal(p.Value.Span, 0.3f);
        var tokenizer = new CharTokenizer("abcdefghijk".Select(c => (int)c));
        var generator = new GptGenerator(model, tokenizer);
        var context = new List<int> { 1, 5, 2 };
        var cache = model.NewCache(1);
        int pending = context.Count;
        using var tape = new Tape(recordGradients: false);
        for (int step = 0; step < 12; step++)
        {
            int none = 0;
            var uncached = generator.NextLogits(tape, context, null, ref none);
            var cached = generator.NextLogits(tape, context, cache, ref pending);
            tape.Reset();
            for (int i = 0; i < uncached.Length; i++) Assert.Equal(uncached[i], cached[i], 1e-4);
            context.Add((step * 7) % 11);
            pending++;
        }
        Assert.Equal(context.Count - 1, cache.Length);
    }

    [Fact]
    public void ForwardRejectsMoreThanBlockSizePositions()
    {
        var model = Tiny(block: 4);
        using var tape = new Tape(recordGradients: false);
        var ex = Assert.Throws<ArgumentException>(() => model.Forward(tape, new int[5], 1, 5));
        Assert.Contains("block_size", ex.Message);
    }
}
