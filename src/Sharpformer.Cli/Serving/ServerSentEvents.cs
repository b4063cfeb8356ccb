using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Sharpformer.Cli.Serving;

/// <summary>A streamed answer as OpenAI sends it: "data: JSON" events, each flushed at once, ended by "data: [DONE]".</summary>
internal sealed class ServerSentEvents(HttpResponse response)
{
    public void Start()
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    public async Task SendAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: " + System.Text.Json.JsonSerializer.Serialize(value, type) + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public async Task DoneAsync(CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
