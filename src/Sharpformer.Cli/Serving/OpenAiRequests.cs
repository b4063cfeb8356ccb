using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sharpformer.Cli.Serving;

/// <summary>The fields of an OpenAI request that the server reads; the others are ignored, as OpenAI-compatible servers do.</summary>
internal abstract record GenerationRequest
{
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    [JsonPropertyName("temperature")] public float? Temperature { get; init; }
    [JsonPropertyName("top_p")] public float? TopP { get; init; }
    /// <summary>Not in OpenAI's API; vLLM and llama.cpp's server accept it too.</summary>
    [JsonPropertyName("top_k")] public int? TopK { get; init; }
    /// <summary>A string or an array of up to 4 strings.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("n")] public int? N { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("stream_options")] public StreamOptions? StreamOptions { get; init; }
}

internal sealed record StreamOptions
{
    [JsonPropertyName("include_usage")] public bool IncludeUsage { get; init; }
}

/// <summary>POST /v1/completions.</summary>
internal sealed record CompletionRequest : GenerationRequest
{
    /// <summary>A string (an array of one string is accepted too).</summary>
    [JsonPropertyName("prompt")] public JsonElement? Prompt { get; init; }
}

/// <summary>POST /v1/chat/completions.</summary>
internal sealed record ChatRequest : GenerationRequest
{
    [JsonPropertyName("messages")] public List<ChatRequestMessage>? Messages { get; init; }
    /// <summary>The newer name of max_tokens, which OpenAI's own clients send.</summary>
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; init; }
}

internal sealed record ChatRequestMessage
{
    [JsonPropertyName("role")] public string? Role { get; init; }
    /// <summary>A string, or an array of parts of which the text ones ({"type":"text","text":…}) count.</summary>
    [JsonPropertyName("content")] public JsonElement? Content { get; init; }
}
