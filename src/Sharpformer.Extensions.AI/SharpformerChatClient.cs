using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Sharpformer.Extensions.AI;

/// <summary>
/// A <see cref="LanguageModel"/> as an <see cref="IChatClient"/>. The conversation becomes one prompt through a
/// <see cref="ChatTemplate"/> (<see cref="ChatTemplate.Plain"/> unless another is given); of <see cref="ChatOptions"/> it
/// honours <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopP"/>, <see cref="ChatOptions.TopK"/>,
/// <see cref="ChatOptions.MaxOutputTokens"/>, <see cref="ChatOptions.StopSequences"/> and <see cref="ChatOptions.Seed"/>;
/// an option left unset keeps <see cref="GenerationSettings"/>' default. Tools and response formats are not supported.
/// </summary>
public sealed class SharpformerChatClient : IChatClient
{
    private readonly LanguageModel _model;
    private readonly ChatTemplate _template;
    private readonly ChatClientMetadata _metadata;

    /// <summary>A chat client over <paramref name="model"/>.</summary>
    public SharpformerChatClient(LanguageModel model, ChatTemplate? template = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _template = template ?? ChatTemplate.Plain;
        _metadata = new ChatClientMetadata("sharpformer", defaultModelId: model.Name);
    }

    /// <summary>The generation settings <paramref name="options"/> ask for, with the template's stop sequences added.</summary>
    public GenerationSettings Settings(ChatOptions? options)
    {
        var defaults = new GenerationSettings();
        return new GenerationSettings
        {
            MaxNewTokens = options?.MaxOutputTokens ?? defaults.MaxNewTokens,
            Temperature = options?.Temperature ?? defaults.Temperature,
            TopK = options?.TopK ?? defaults.TopK,
            TopP = options?.TopP ?? defaults.TopP,
            Seed = options?.Seed is long seed ? unchecked((ulong)seed) : defaults.Seed,
            StopSequences = [.. options?.StopSequences ?? [], .. _template.StopSequences],
        };
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var (prompt, settings) = Request(messages, options);
        var text = new System.Text.StringBuilder();
        int tokens = 0;
        FinishReason? finish = null;
        await foreach (var token in _model.GenerateTokensAsync(prompt, settings, cancellationToken).ConfigureAwait(false))
        {
            text.Append(token.Text);
            tokens++;
            finish = token.Finish;
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            ResponseId = NewId(),
            ModelId = _model.Name,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = Reason(finish),
            Usage = Usage(prompt, tokens),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, settings) = Request(messages, options);
        string id = NewId();
        var created = DateTimeOffset.UtcNow;
        int tokens = 0;
        FinishReason? finish = null;
        await foreach (var token in _model.GenerateTokensAsync(prompt, settings, cancellationToken).ConfigureAwait(false))
        {
            tokens++;
            finish = token.Finish;
            if (token.Text.Length > 0) yield return Update(id, created, token.Text);
        }
        // The last update carries why the answer ended and the token counts.
        var last = Update(id, created, null);
        last.FinishReason = Reason(finish);
        last.Contents.Add(new UsageContent(Usage(prompt, tokens)));
        yield return last;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey != null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType == typeof(LanguageModel)) return _model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the model belongs to the caller.</summary>
    public void Dispose() { }

    private (string Prompt, GenerationSettings Settings) Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        if (list.Count == 0) throw new ArgumentException("messages: at least one message is needed.", nameof(messages));
        return (_template.Format(list), Settings(options));
    }

    private ChatResponseUpdate Update(string id, DateTimeOffset created, string? text) => new(ChatRole.Assistant, text)
    {
        ResponseId = id,
        MessageId = id,
        ModelId = _model.Name,
        CreatedAt = created,
    };

    private UsageDetails Usage(string prompt, int generated)
    {
        int input = _model.Tokenize(prompt).Length;
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = generated, TotalTokenCount = input + generated };
    }

    // A generation ends at a stop sequence or at the token limit (or nothing was asked for: zero tokens).
    private static ChatFinishReason Reason(FinishReason? finish) => finish == FinishReason.MaxTokens ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");
}
