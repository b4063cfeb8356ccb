using Microsoft.Extensions.AI;
using Sharpformer.Extensions.AI;

namespace Sharpformer.Tests.ExtensionsAI;

public sealed class SharpformerEmbeddingGeneratorTests
{
    private static readonly LanguageModel Model = TinyLanguageModel.Instance;

    [Fact]
    public async Task GivesTheModelsEmbeddingOfEachText_InOrder()
    {
        using IEmbeddingGenerator<string, Embedding<float>> generator = new SharpformerEmbeddingGenerator(Model);
        string[] texts = ["the cat sat", "the dog", "hello there"];
        var embeddings = await generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, embeddings.Count);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(Model.Embed(texts[i]), embeddings[i].Vector.ToArray());
        Assert.Equal(Model.EmbeddingSize, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions);
        Assert.Equal(texts.Sum(t => Model.Tokenize(t).Length), embeddings.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task OtherDimensionsAreRefusedByName()
    {
        using var generator = new SharpformerEmbeddingGenerator(Model);
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            generator.GenerateAsync(["the cat"], new EmbeddingGenerationOptions { Dimensions = 3 }, TestContext.Current.CancellationToken));
        Assert.Contains("options.Dimensions", e.Message);
    }
}
