using Microsoft.Extensions.AI;

namespace Sharpformer.Extensions.AI;

/// <summary>
/// A <see cref="LanguageModel"/> as an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: each text's vector is
/// <see cref="LanguageModel.Embed"/>, the mean of the model's last hidden states over its tokens
/// (<see cref="LanguageModel.EmbeddingSize"/> long).
/// </summary>
public sealed class SharpformerEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LanguageModel _model;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>An embedding generator over <paramref name="model"/>.</summary>
    public SharpformerEmbeddingGenerator(LanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _metadata = new EmbeddingGeneratorMetadata("sharpformer", defaultModelId: model.Name, defaultModelDimensions: model.EmbeddingSize);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><see cref="EmbeddingGenerationOptions.Dimensions"/> asks for another length than the model's.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is int dimensions && dimensions != _model.EmbeddingSize)
            throw new ArgumentException($"options.Dimensions: this model's embeddings have {_model.EmbeddingSize} dimensions, not {dimensions}.", nameof(options));
        var texts = values.ToList();
        var embeddings = new List<Embedding<float>>(texts.Count);
        long tokens = 0;
        foreach (var text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vector = await Task.Run(() => _model.Embed(text), cancellationToken).ConfigureAwait(false);
            tokens += Math.Min(_model.Tokenize(text).Length, _model.ContextLength);
            embeddings.Add(new Embedding<float>(vector) { ModelId = _model.Name, CreatedAt = DateTimeOffset.UtcNow });
        }
        return new GeneratedEmbeddings<Embedding<float>>(embeddings) { Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens } };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey != null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType == typeof(LanguageModel)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the model belongs to the caller.</summary>
    public void Dispose() { }
}
