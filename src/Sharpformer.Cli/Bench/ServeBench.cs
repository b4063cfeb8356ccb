using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Sharpformer.Cli.Serving;
using Sharpformer.Kernels;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `bench serve`: `sharpformer serve` under load on loopback. Concurrent clients send /v1/completions for a fixed
/// time, streaming or not (all, none, or half of them); every answer is checked (status 200, JSON that parses, a stream that ends with
/// [DONE], the token count in its usage), and the CPU time the process used is reported beside the wall-clock rates
/// (client and server share the process). Then one client leaves mid-stream, and the bench times how long its place in
/// the queue (and its row in the batch) takes to come free.
/// </summary>
internal static class ServeBench
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Checkpoint folder; default: untrained weights of --config's shape, vocabulary 65" };
        var config = new Option<string>("--config") { Description = "Preset of the untrained model", DefaultValueFactory = _ => "shakespeare-cpu" };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients", DefaultValueFactory = _ => 32 };
        var seconds = new Option<double>("--seconds") { Description = "How long the clients send requests", DefaultValueFactory = _ => 30 };
        var warmup = new Option<double>("--warmup-seconds") { Description = "Seconds of the same load first, not measured (compiles the server's code paths)", DefaultValueFactory = _ => 5 };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "max_tokens of every request", DefaultValueFactory = _ => 32 };
        var prompt = new Option<string>("--prompt") { Description = "Prompt of every request", DefaultValueFactory = _ => "THE " };
        var maxBatch = new Option<int>("--max-batch") { Description = "The server's --max-batch (1: no batching)", DefaultValueFactory = _ => ServerOptions.DefaultMaxBatch };
        var streaming = new Option<string>("--streaming") { Description = "Which clients stream: half, all or none", DefaultValueFactory = _ => "half" };
        streaming.AcceptOnlyFromAmong("half", "all", "none");
        var cmd = new Command("serve", "Requests/s, tokens/s and latency of `sharpformer serve` under concurrent clients on loopback.")
            { model, config, clients, seconds, warmup, maxNew, prompt, maxBatch, streaming };
        cmd.SetAction(async (parse, cancellationToken) =>
        {
            int n = parse.GetValue(clients), max = parse.GetValue(maxNew), batch = parse.GetValue(maxBatch);
            string streams = parse.GetValue(streaming)!;
            if (n < 1) throw new ArgumentException($"--clients must be ≥ 1, got {n}.");
            if (max < 1) throw new ArgumentException($"--max-new-tokens must be ≥ 1, got {max}.");
            var language = parse.GetValue(model) is string dir ? LanguageModel.Load(ModelDirectory.Resolve(dir)) : Untrained(parse.GetValue(config)!);
            var report = new BenchReport(parse.InvocationConfiguration.Output, parse.GetValue(Commands.BenchCommand.Json));
            await using var server = await CompletionServer.StartAsync(language,
                new ServerOptions(Port: 0, Queue: n + 1, TokenLimit: 1_000_000, MaxBatch: batch).Validated(), TextWriter.Null, cancellationToken);
            var url = new Uri(server.Address, "/v1/completions");
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            Task<ClientResult[]> Load(double forSeconds)
            {
                var deadline = Stopwatch.GetTimestamp() + (long)(forSeconds * Stopwatch.Frequency);
                return Task.WhenAll(Enumerable.Range(0, n).Select(i =>
                    Client(http, url, parse.GetValue(prompt)!, max, stream: streams == "all" || streams == "half" && i % 2 == 1, seed: i, deadline, cancellationToken)));
            }
            int warmupFailed = (await Load(parse.GetValue(warmup))).Sum(r => r.Failed);
            long start = Stopwatch.GetTimestamp();
            // On a shared machine wall time says how much CPU the process got; tokens per CPU-second say what it did with it.
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var results = await Load(parse.GetValue(seconds));
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var latencies = results.SelectMany(r => r.Latencies).Order().ToArray();
            long tokens = results.Sum(r => r.Tokens);
            int failed = results.Sum(r => r.Failed) + warmupFailed;
            string streamingCase = streams == "half" ? "half streaming" : streams == "all" ? "streaming" : "not streaming";
            string @case = $"{language.Name} clients={n} max_tokens={max} {streamingCase} max_batch={batch} threads={Parallelism.ThreadCount}";
            report.Add("serve", @case, latencies.Length / elapsed, "requests/s", new Dictionary<string, object> { ["failed"] = failed });
            report.Add("serve", @case, tokens / elapsed, "tokens/s");
            report.Add("serve", @case, Percentile(latencies, 0.50), "ms p50");
            report.Add("serve", @case, Percentile(latencies, 0.99), "ms p99");
            report.Add("serve", @case, failed, "failed");
            report.Add("serve", @case, tokens / cpu, "tokens per CPU-second");
            report.Add("serve", @case, cpu, "CPU seconds", new Dictionary<string, object> { ["wall_seconds"] = Math.Round(elapsed, 1) });
            report.Add("serve", @case, server.LargestBatch, "largest batch");
            report.Add("serve", $"{language.Name} a client leaves mid-stream", await PlaceFreedAfterDisconnect(url, server, cancellationToken),
                "ms to free its place");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }

    private static LanguageModel Untrained(string preset)
    {
        var gpt = new Gpt(GptPresets.Get(preset).Config(65) with { Dropout = 0f }, seed: 1337);
        return new LanguageModel(gpt, new CharTokenizer(Enumerable.Range(32, 65)), $"{preset}-untrained");
    }

    private sealed record ClientResult(List<double> Latencies, long Tokens, int Failed);

    private static async Task<ClientResult> Client(HttpClient http, Uri url, string prompt, int max, bool stream, int seed, long deadline, CancellationToken ct)
    {
        var latencies = new List<double>();
        long tokens = 0;
        int failed = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                var body = Request(prompt, max, stream) with { Seed = seed++ };
                using var response = await http.PostAsJsonAsync(url, body, ServeJson.Default.CompletionRequest, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if (!response.IsSuccessStatusCode) throw new InvalidDataException($"HTTP {(int)response.StatusCode}");
                tokens += stream ? StreamedTokens(text) : WholeTokens(text);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or JsonException or KeyNotFoundException) { failed++; }
        }
        return new ClientResult(latencies, tokens, failed);
    }

    /// <summary>The body of a request, serialized without reflection (the bench runs where the server does, Native AOT included).</summary>
    private static CompletionRequest Request(string prompt, int max, bool stream) => new()
    {
        Prompt = JsonSerializer.SerializeToElement(prompt, ServeJson.Default.String),
        MaxTokens = max,
        Temperature = 0.8f,
        Stream = stream,
        StreamOptions = new StreamOptions { IncludeUsage = stream },
    };

    private static int WholeTokens(string json)
    {
        using var doc = JsonDocument.Parse(json);
        _ = doc.RootElement.GetProperty("choices")[0].GetProperty("text").GetString();
        return doc.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
    }

    /// <summary>Checks that every event is "data: JSON" and the last "data: [DONE]"; returns the usage's token count.</summary>
    private static int StreamedTokens(string events)
    {
        var parts = events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[^1] != "data: [DONE]") throw new InvalidDataException("the stream does not end with data: [DONE]");
        int tokens = -1;
        foreach (var part in parts[..^1])
        {
            if (!part.StartsWith("data: ", StringComparison.Ordinal)) throw new InvalidDataException("an event is not data: JSON");
            using var doc = JsonDocument.Parse(part["data: ".Length..]);
            if (doc.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                tokens = usage.GetProperty("completion_tokens").GetInt32();
        }
        return tokens >= 0 ? tokens : throw new InvalidDataException("the stream has no usage");
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Starts an endless stream, reads its first bytes, hangs up, and times until the server has let the request go.</summary>
    private static async Task<double> PlaceFreedAfterDisconnect(Uri url, CompletionServer server, CancellationToken ct)
    {
        // A client that hangs up: by default HttpClient reads on for up to 2 s to keep the connection for reuse.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 });
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(Request("THE ", 1_000_000, stream: true), ServeJson.Default.CompletionRequest) };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        var body = await response.Content.ReadAsStreamAsync(ct);
        await body.ReadExactlyAsync(new byte[16], ct);
        long start = Stopwatch.GetTimestamp();
        response.Dispose();
        while (server.InFlight > 0 || server.Batched > 0)
        {
            if (Stopwatch.GetElapsedTime(start).TotalSeconds > 30) throw new InvalidOperationException("a client left mid-stream and its request still runs after 30 s.");
            await Task.Delay(5, ct);
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
