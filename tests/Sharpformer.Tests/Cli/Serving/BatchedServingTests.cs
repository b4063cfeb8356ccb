using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sharpformer.Cli.Serving;

namespace Sharpformer.Tests.Cli.Serving;

/// <summary>
/// `sharpformer serve` with batching: concurrent requests, decoded together, get the text each gets alone with the same
/// settings and seed; a client that goes away mid-stream frees its row in the batch for a waiting request.
/// </summary>
public sealed class BatchedServingTests
{
    private static readonly LanguageModel Model = TinyLanguageModel.Instance;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Ask(string Prompt, int MaxTokens, float Temperature, float? TopP, int? TopK, long Seed, string[] Stop, bool Stream);

    private static readonly Ask[] Asks =
    [
        new("the ", 20, 0, null, null, 1, [], false),
        new("User: hello there\nAssistant:", 30, 0, null, null, 2, ["\n"], true),
        new("the c", 25, 1, null, null, 3, [], true),
        new("System: the cat\n", 40, 0.8f, 0.9f, null, 4, [], false),
        new("a", 15, 1.2f, null, 5, 5, ["."], true),
        new("the dog sat on the ", 35, 0.7f, 0.95f, 8, 6, [], false),
        new("Assistant: the", 28, 1, null, null, 7, ["mat"], false),
        new("t", 45, 0.9f, null, 3, 8, [], true),
    ];

    private static string Alone(Ask ask) => Model.Generate(ask.Prompt, new GenerationSettings
    {
        MaxNewTokens = ask.MaxTokens, Temperature = ask.Temperature, TopP = ask.TopP, TopK = ask.TopK, Seed = (ulong)ask.Seed, StopSequences = ask.Stop,
    });

    private static async Task<string> Send(HttpClient http, Uri url, Ask ask)
    {
        using var response = await http.PostAsJsonAsync(url, new
        {
            prompt = ask.Prompt, max_tokens = ask.MaxTokens, temperature = ask.Temperature, top_p = ask.TopP, top_k = ask.TopK,
            seed = ask.Seed, stop = ask.Stop, stream = ask.Stream,
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (!ask.Stream)
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
        }
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        return string.Concat(events[..^1].Select(e =>
        {
            using var chunk = JsonDocument.Parse(e["data: ".Length..]);
            return chunk.RootElement.GetProperty("choices")[0].GetProperty("text").GetString();
        }));
    }

    [Fact]
    public async Task ConcurrentRequests_DecodedTogether_GetTheTextTheyGetAlone()
    {
        await using var server = await CompletionServer.StartAsync(Model, new ServerOptions(Port: 0, MaxBatch: 4), TextWriter.Null, Ct);
        var url = new Uri(server.Address, "/v1/completions");
        using var http = new HttpClient();
        // Twice over, so that requests join a batch already running and leave it before the others end. The model is
        // held until all are in, so that they queue up rather than finish one by one as they arrive.
        await Model.Turn.WaitAsync(Ct);
        Task<string>[] sends;
        try
        {
            sends = [.. Asks.Concat(Asks).Select(ask => Send(http, url, ask))];
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (server.InFlight < sends.Length && DateTime.UtcNow < deadline) await Task.Delay(5, Ct);
        }
        finally { Model.Turn.Release(); }
        var answers = await Task.WhenAll(sends);
        for (int i = 0; i < answers.Length; i++)
            Assert.Equal(Alone(Asks[i % Asks.Length]), answers[i]);
        Assert.True(server.LargestBatch > 1, $"the requests were never decoded together (largest batch {server.LargestBatch}).");
        Assert.True(server.LargestBatch <= 4, $"a batch of {server.LargestBatch} exceeds --max-batch 4.");
    }

    [Fact]
    public async Task AClientThatLeavesMidStream_FreesItsRowForAWaitingRequest()
    {
        var log = new StringWriter();
        await using var server = await CompletionServer.StartAsync(Model, new ServerOptions(Port: 0, Queue: 3, TokenLimit: 1_000_000, MaxBatch: 2),
            TextWriter.Synchronized(log), Ct);
        var url = new Uri(server.Address, "/v1/completions");
        using var endless = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 });
        async Task<HttpResponseMessage> StartEndless()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { prompt = "the ", max_tokens = 1_000_000, stream = true }) };
            var response = await endless.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.True(await (await response.Content.ReadAsStreamAsync(Ct)).ReadAsync(new byte[64], Ct) > 0);   // generating
            return response;
        }
        var first = await StartEndless();
        var second = await StartEndless();
        Assert.Equal(2, server.Batched);

        // Both rows are taken: a third request waits in the queue until one frees.
        using var http = new HttpClient();
        var waiting = Send(http, url, Asks[0]);
        await Task.Delay(200, Ct);
        Assert.False(waiting.IsCompleted, "a third request was decoded while both rows of the batch were taken.");

        first.Dispose();   // the client goes away mid-stream
        Assert.Equal(Alone(Asks[0]), await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        second.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((server.Batched > 0 || server.InFlight > 0) && DateTime.UtcNow < deadline) await Task.Delay(10, Ct);
        Assert.Equal(0, server.Batched);
        Assert.Equal(0, server.InFlight);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(log.ToString(), "POST /v1/completions 499"));
    }
}
