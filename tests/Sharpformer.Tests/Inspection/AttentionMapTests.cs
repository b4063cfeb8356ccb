using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Inspection;

public class AttentionMapTests
{
    [Fact]
    public void CrossAttentionRowsAreDistributionsOverTheSource()
    {
        var vocab = new TranslationVocabulary(new CharTokenizer("abcdef".Select(c => (int)c)));
        var model = new Translator(new TranslatorConfig(1, 2, 2, 8, 16, 12, vocab.Size, vocab.Size, Dropout: 0f), seed: 2);
        var map = CrossAttentionMap.Compute(model, vocab, vocab, [0, 1, 2, 3], [4, 5]);
        Assert.Equal([3, 4], map.Weights.Shape);                 // (target + end of sentence, source)
        Assert.Equal(["a", "b", "c", "d"], map.SourceTokens);
        Assert.Equal(["e", "f", "</s>"], map.TargetTokens);
        for (int r = 0; r < 3; r++)
        {
            float sum = 0;
            for (int c = 0; c < 4; c++) sum += map.Weights[r, c];
            Assert.Equal(1f, sum, 1e-5);
        }
    }

    [Fact]
    public void HeatMapDrawsOneCellPerWeightWithEscapedLabels()
    {
        var w = Tensor.FromArray([0f, 1f, 0.25f, 0.75f, 0.5f, 0.5f], 2, 3);
        var svg = AttentionHeatmap.Svg(w, ["x<1", "y"], ["a", "b", "c"], "t & u");
        Assert.Equal(6, svg.Split("<rect x=").Length - 1);
        Assert.Contains("x&lt;1", svg);
        Assert.Contains("t &amp; u", svg);
        Assert.Contains("fill=\"#08306B\"", svg); // weight 1 is the darkest blue
        Assert.Throws<ArgumentException>(() => AttentionHeatmap.Svg(w, ["x"], ["a", "b", "c"], "t"));
    }
}
