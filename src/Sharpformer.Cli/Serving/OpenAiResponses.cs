using System.Text.Json.Serialization;

namespace Sharpformer.Cli.Serving;

/// <summary>What the server answers, in OpenAI's shapes (only the fields it fills).</summary>
internal sealed record Usage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);

internal sealed record CompletionChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("logprobs")] object? Logprobs,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

/// <summary>A text completion, or one chunk of a streamed one (then <see cref="Usage"/> is null).</summary>
internal sealed record Completion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] CompletionChoice[] Choices,
    [property: JsonPropertyName("usage")] Usage? Usage);

internal sealed record ChatMessageOut(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] string? Content);

internal sealed record ChatChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] ChatMessageOut Message,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

internal sealed record ChatCompletion(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] ChatChoice[] Choices,
    [property: JsonPropertyName("usage")] Usage Usage);

internal sealed record ChatChunkChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("delta")] ChatMessageOut Delta,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

/// <summary>One server-sent event of a streamed chat completion; the last (with include_usage) has no choices and the usage.</summary>
internal sealed record ChatChunk(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] ChatChunkChoice[] Choices,
    [property: JsonPropertyName("usage")] Usage? Usage);

internal sealed record ModelCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

internal sealed record ModelList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] ModelCard[] Data);

internal sealed record Health([property: JsonPropertyName("status")] string Status);

internal sealed record ErrorBody(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);

/// <summary>OpenAI's error envelope: {"error":{"message":…,"type":…,"param":…,"code":…}}.</summary>
internal sealed record ErrorResponse([property: JsonPropertyName("error")] ErrorBody Error);
