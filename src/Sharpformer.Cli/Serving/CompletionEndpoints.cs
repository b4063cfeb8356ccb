using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Sharpformer.Extensions.AI;

namespace Sharpformer.Cli.Serving;

/// <summary>
/// POST /v1/completions and /v1/chat/completions: one model, one choice, whole or streamed as server-sent events.
/// A chat becomes a prompt through <see cref="ChatTemplate.Plain"/>. Generations go through <paramref name="batches"/>
/// when the server batches, else straight to the model. The client going away cancels the generation
/// (<see cref="HttpContext.RequestAborted"/>), which frees the request's place in the queue and its row in the batch.
/// </summary>
internal sealed class CompletionEndpoints(LanguageModel model, ServerOptions options, BatchScheduler? batches)
{
    /// <summary>Prompt and generated token counts of the request, for the log line.</summary>
    public const string TokensItem = "sharpformer.tokens";

    public async Task CompleteAsync(HttpContext context)
    {
        var request = await ReadAsync(context, ServeJson.Default.CompletionRequest);
        var prompt = Prompt(request.Prompt);
        var settings = RequestSettings.From(request, request.MaxTokens, options, []);
        string id = "cmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tokens = Generate(context, prompt, settings);
        if (!request.Stream)
        {
            var (text, finish, usage) = await CollectAsync(tokens, context);
            await WriteJsonAsync(context, new Completion(id, "text_completion", created, model.Name,
                [new CompletionChoice(0, text, null, finish)], usage), ServeJson.Default.Completion);
            return;
        }
        var events = new ServerSentEvents(context.Response);
        events.Start();
        var counts = Counts(context);
        var ct = context.RequestAborted;
        await foreach (var token in tokens)
        {
            counts.Generated++;
            if (token.Text.Length > 0 || token.Finish != null)
                await events.SendAsync(new Completion(id, "text_completion", created, model.Name,
                    [new CompletionChoice(0, token.Text, null, Reason(token.Finish))], null), ServeJson.Default.Completion, ct);
        }
        if (request.StreamOptions?.IncludeUsage == true)
            await events.SendAsync(new Completion(id, "text_completion", created, model.Name, [], counts.Usage()), ServeJson.Default.Completion, ct);
        await events.DoneAsync(ct);
    }

    public async Task ChatAsync(HttpContext context)
    {
        var request = await ReadAsync(context, ServeJson.Default.ChatRequest);
        var prompt = ChatTemplate.Plain.Format(Messages(request.Messages));
        var settings = RequestSettings.From(request, request.MaxCompletionTokens ?? request.MaxTokens, options, ChatTemplate.Plain.StopSequences);
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var tokens = Generate(context, prompt, settings);
        if (!request.Stream)
        {
            var (text, finish, usage) = await CollectAsync(tokens, context);
            await WriteJsonAsync(context, new ChatCompletion(id, "chat.completion", created, model.Name,
                [new ChatChoice(0, new ChatMessageOut("assistant", text), finish)], usage), ServeJson.Default.ChatCompletion);
            return;
        }
        var events = new ServerSentEvents(context.Response);
        events.Start();
        var counts = Counts(context);
        var ct = context.RequestAborted;
        ChatChunk Chunk(ChatMessageOut delta, string? finish) =>
            new(id, "chat.completion.chunk", created, model.Name, [new ChatChunkChoice(0, delta, finish)], null);
        await events.SendAsync(Chunk(new ChatMessageOut("assistant", ""), null), ServeJson.Default.ChatChunk, ct);
        await foreach (var token in tokens)
        {
            counts.Generated++;
            if (token.Text.Length > 0) await events.SendAsync(Chunk(new ChatMessageOut(null, token.Text), null), ServeJson.Default.ChatChunk, ct);
            if (token.Finish != null) await events.SendAsync(Chunk(new ChatMessageOut(null, null), Reason(token.Finish)), ServeJson.Default.ChatChunk, ct);
        }
        if (request.StreamOptions?.IncludeUsage == true)
            await events.SendAsync(new ChatChunk(id, "chat.completion.chunk", created, model.Name, [], counts.Usage()), ServeJson.Default.ChatChunk, ct);
        await events.DoneAsync(ct);
    }

    /// <summary>The generation, started now so that a bad prompt (a character the tokenizer lacks) is a 400 before any byte is sent.</summary>
    private IAsyncEnumerable<GeneratedToken> Generate(HttpContext context, string prompt, GenerationSettings settings)
    {
        int promptTokens;
        IAsyncEnumerable<GeneratedToken> tokens;
        try
        {
            promptTokens = model.Tokenize(prompt).Length;
            tokens = batches is null ? model.GenerateTokensAsync(prompt, settings, context.RequestAborted)
                : batches.Generate(prompt, settings, context.RequestAborted);
        }
        catch (ArgumentException e) { throw new BadRequestException(CliApp.PlainMessage(e), "prompt"); }
        context.Items[TokensItem] = new TokenCounts { Prompt = promptTokens };
        return tokens;
    }

    private static async Task<(string Text, string? Finish, Usage Usage)> CollectAsync(IAsyncEnumerable<GeneratedToken> tokens, HttpContext context)
    {
        var text = new StringBuilder();
        var counts = Counts(context);
        string? finish = null;
        await foreach (var token in tokens)
        {
            counts.Generated++;
            text.Append(token.Text);
            finish = Reason(token.Finish) ?? finish;
        }
        // No token asked for (max_tokens 0 is refused), so a generation always ends with a reason.
        return (text.ToString(), finish ?? "stop", counts.Usage());
    }

    private static TokenCounts Counts(HttpContext context) => (TokenCounts)context.Items[TokensItem]!;

    private static string? Reason(FinishReason? finish) => finish switch
    {
        FinishReason.MaxTokens => "length",
        FinishReason.StopSequence => "stop",
        _ => null,
    };

    private static async Task<T> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            throw new BadRequestException($"the body must be JSON (Content-Type: application/json), got '{context.Request.ContentType}'.", null);
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted)
                ?? throw new BadRequestException("the body is JSON null; expected an object.", null);
        }
        catch (JsonException e) { throw new BadRequestException($"the body is not a valid request ({e.Message})", e.Path?.TrimStart('$', '.')); }
    }

    private static string Prompt(JsonElement? prompt)
    {
        if (prompt is JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.String) return e.GetString()!;
            if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 1 && e[0].ValueKind == JsonValueKind.String) return e[0].GetString()!;
        }
        throw new BadRequestException("prompt: expected a string (one prompt per request).", "prompt");
    }

    private static List<ChatMessage> Messages(List<ChatRequestMessage>? messages)
    {
        if (messages is null || messages.Count == 0) throw new BadRequestException("messages: expected a non-empty array.", "messages");
        var list = new List<ChatMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var role = messages[i].Role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" => ChatRole.Tool,
                var other => throw new BadRequestException($"messages[{i}].role: expected system, developer, user, assistant or tool, got '{other}'.", $"messages[{i}].role"),
            };
            list.Add(new ChatMessage(role, Text(messages[i].Content, i)));
        }
        return list;
    }

    /// <summary>A message's text: the string, or its text parts joined.</summary>
    private static string Text(JsonElement? content, int index)
    {
        if (content is JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.String) return e.GetString()!;
            if (e.ValueKind == JsonValueKind.Array)
                return string.Concat(e.EnumerateArray()
                    .Where(part => part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.GetString() == "text")
                    .Select(part => part.TryGetProperty("text", out var text) ? text.GetString() : ""));
        }
        throw new BadRequestException($"messages[{index}].content: expected a string or an array of text parts.", $"messages[{index}].content");
    }

    internal static async Task WriteJsonAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(value, type), context.RequestAborted);
    }

    /// <summary>Tokens in and out of one request.</summary>
    internal sealed class TokenCounts
    {
        public int Prompt { get; init; }
        public int Generated { get; set; }
        public Usage Usage() => new(Prompt, Generated, Prompt + Generated);
    }
}
