using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Sharpformer.Cli.Serving;
using Sharpformer.Extensions.AI;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using MeaiChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Sharpformer.Tests.Cli.Serving;

/// <summary>
/// `sharpformer serve` on loopback against the official OpenAI client and plain HTTP: the answers are the model's own
/// continuations of the same prompts, streamed or whole; bad requests get OpenAI's error JSON; a full queue 503.
/// </summary>
public sealed class CompletionServerTests : IAsyncLifetime
{
    private static readonly LanguageModel Model = TinyLanguageModel.Instance;
    private readonly StringWriter _log = new();
    private CompletionServer _server = null!;
    private readonly HttpClient _http = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await CompletionServer.StartAsync(Model, new ServerOptions(Port: 0), TextWriter.Synchronized(_log), Ct);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private ChatClient OpenAiChat(Uri address) =>
        new(Model.Name, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(address, "/v1") });

    private static string ChatPrompt => ChatTemplate.Plain.Format([new MeaiChatMessage(MeaiChatRole.System, "the cat"), new MeaiChatMessage(MeaiChatRole.User, "hello there")]);

    private static string Expected(string prompt, int maxTokens, params string[] stops) =>
        Model.Generate(prompt, new GenerationSettings { Temperature = 0, MaxNewTokens = maxTokens, StopSequences = stops });

    private static OpenAI.Chat.ChatMessage[] Conversation => [new SystemChatMessage("the cat"), new UserChatMessage("hello there")];

    [Fact]
    public async Task OpenAiClient_GetsTheModelsAnswer()
    {
        var completion = (await OpenAiChat(_server.Address).CompleteChatAsync(Conversation,
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 }, Ct)).Value;
        Assert.Equal(Expected(ChatPrompt, 20, "\nUser:"), completion.Content.Single().Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(Model.Tokenize(ChatPrompt).Length, completion.Usage.InputTokenCount);
        Assert.Equal(Model.Name, completion.Model);
        Assert.Contains("POST /v1/chat/completions 200", _log.ToString());
    }

    [Fact]
    public async Task OpenAiClient_StreamsTheModelsAnswer()
    {
        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in OpenAiChat(_server.Address).CompleteChatStreamingAsync(Conversation,
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 }, Ct))
        {
            pieces.AddRange(update.ContentUpdate.Select(part => part.Text));
            finish ??= update.FinishReason;
        }
        var expected = Expected(ChatPrompt, 12, "\nUser:");
        Assert.Equal(expected, string.Concat(pieces));
        Assert.True(pieces.Count(p => p.Length > 0) > 1, "the answer came in one piece");
        Assert.Equal(Model.Tokenize(expected).Length < 12 ? ChatFinishReason.Stop : ChatFinishReason.Length, finish);
    }

    [Fact]
    public async Task Completions_WholeAndStreamed_AreTheModelsContinuation()
    {
        var body = new { prompt = "the ", max_tokens = 10, temperature = 0 };
        using var whole = await _http.PostAsJsonAsync(new Uri(_server.Address, "/v1/completions"), body, Ct);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        using var json = JsonDocument.Parse(await whole.Content.ReadAsStringAsync(Ct));
        var choice = json.RootElement.GetProperty("choices")[0];
        Assert.Equal(Expected("the ", 10), choice.GetProperty("text").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(10, json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("text_completion", json.RootElement.GetProperty("object").GetString());

        using var streamed = await _http.PostAsJsonAsync(new Uri(_server.Address, "/v1/completions"), new { prompt = "the ", max_tokens = 10, temperature = 0, stream = true }, Ct);
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType!.MediaType);
        var events = (await streamed.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices")[0]).ToList();
        Assert.Equal(Expected("the ", 10), string.Concat(chunks.Select(c => c.GetProperty("text").GetString())));
        Assert.Equal("length", chunks[^1].GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData("""{"prompt":"the ","temperature":5}""", "temperature")]
    [InlineData("""{"prompt":"the ","max_tokens":0}""", "max_tokens")]
    [InlineData("""{"prompt":"the ","top_p":0}""", "top_p")]
    [InlineData("""{"prompt":"the ","stop":[1]}""", "stop")]
    [InlineData("""{"prompt":"the ","n":2}""", "n")]
    [InlineData("""{"max_tokens":3}""", "prompt")]
    [InlineData("""{"prompt":"Ω"}""", "prompt")]
    [InlineData("""{"prompt":"the ","max_tokens":"many"}""", "max_tokens")]
    public async Task BadCompletionRequests_Get400WithAnOpenAiError(string body, string param)
    {
        using var response = await _http.PostAsync(new Uri(_server.Address, "/v1/completions"), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("""{"messages":[]}""", "messages")]
    [InlineData("""{"messages":[{"role":"wizard","content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"messages":[{"role":"user","content":7}]}""", "messages[0].content")]
    [InlineData("""not json""", null)]
    public async Task BadChatRequests_Get400WithAnOpenAiError(string body, string? param)
    {
        using var response = await _http.PostAsync(new Uri(_server.Address, "/v1/chat/completions"), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        if (param != null) Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ModelsAndHealth_DescribeTheServer()
    {
        using var models = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_server.Address, "/v1/models"), Ct));
        Assert.Equal(Model.Name, models.RootElement.GetProperty("data")[0].GetProperty("id").GetString());
        using var health = JsonDocument.Parse(await _http.GetStringAsync(new Uri(_server.Address, "/health"), Ct));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AFullQueueAnswers503_AndAClientThatLeavesMidStreamFreesItsPlace()
    {
        await using var server = await CompletionServer.StartAsync(Model, new ServerOptions(Port: 0, Queue: 1, TokenLimit: 1_000_000), TextWriter.Synchronized(_log), Ct);
        var url = new Uri(server.Address, "/v1/completions");
        using var client = new HttpClient();
        var longRequest = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { prompt = "the ", max_tokens = 1_000_000, stream = true }) };
        var first = await client.SendAsync(longRequest, HttpCompletionOption.ResponseHeadersRead, Ct);
        var stream = await first.Content.ReadAsStreamAsync(Ct);
        Assert.True(await stream.ReadAsync(new byte[64], Ct) > 0);   // generating

        using (var refused = await _http.PostAsJsonAsync(url, new { prompt = "the ", max_tokens = 2 }, Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
            using var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
            Assert.Equal("server_error", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        first.Dispose();   // the client goes away mid-stream
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(50, Ct);
            using var again = await _http.PostAsJsonAsync(url, new { prompt = "the ", max_tokens = 2 }, Ct);
            status = again.StatusCode;
        } while (status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("POST /v1/completions 499", _log.ToString());
    }
}
