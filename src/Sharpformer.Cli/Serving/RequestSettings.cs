using System.Text.Json;

namespace Sharpformer.Cli.Serving;

/// <summary>
/// A request's sampling fields as <see cref="GenerationSettings"/>, checked against OpenAI's ranges. Absent fields take
/// OpenAI's defaults: temperature 1, no top-p and no top-k, a fresh random seed.
/// </summary>
internal static class RequestSettings
{
    public static GenerationSettings From(GenerationRequest request, int? maxTokens, ServerOptions server, IReadOnlyList<string> extraStops)
    {
        if (request.N is int n && n != 1) throw new BadRequestException($"n: only 1 choice per request is supported, got {n}.", "n");
        int max = maxTokens ?? server.DefaultMaxNewTokens;
        if (max < 1 || max > server.TokenLimit) throw new BadRequestException($"max_tokens: must be in 1..{server.TokenLimit}, got {max}.", "max_tokens");
        float temperature = request.Temperature ?? 1f;
        if (!(temperature >= 0 && temperature <= 2)) throw new BadRequestException($"temperature: must be in [0, 2], got {temperature}.", "temperature");
        if (request.TopP is float p && !(p > 0 && p <= 1)) throw new BadRequestException($"top_p: must be in (0, 1], got {p}.", "top_p");
        if (request.TopK is int k && k < 1) throw new BadRequestException($"top_k: must be ≥ 1, got {k}.", "top_k");
        return new GenerationSettings
        {
            MaxNewTokens = max,
            Temperature = temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            Seed = request.Seed is long seed ? unchecked((ulong)seed) : (ulong)Random.Shared.NextInt64(),
            StopSequences = [.. Stops(request.Stop), .. extraStops],
        };
    }

    /// <summary>"stop": null, a string, or an array of up to 4 non-empty strings.</summary>
    private static List<string> Stops(JsonElement? stop)
    {
        if (stop is not JsonElement e || e.ValueKind == JsonValueKind.Null) return [];
        List<string> stops = e.ValueKind switch
        {
            JsonValueKind.String => [e.GetString()!],
            JsonValueKind.Array when e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) => [.. e.EnumerateArray().Select(x => x.GetString()!)],
            _ => throw new BadRequestException("stop: expected a string or an array of strings.", "stop"),
        };
        if (stops.Count > 4) throw new BadRequestException($"stop: at most 4 sequences, got {stops.Count}.", "stop");
        if (stops.Any(s => s.Length == 0)) throw new BadRequestException("stop: sequences must not be empty.", "stop");
        return stops;
    }
}
