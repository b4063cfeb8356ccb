using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Sharpformer.Cli.Serving;

/// <summary>
/// The OpenAI-compatible HTTP server of `sharpformer serve`: /v1/completions, /v1/chat/completions, /v1/models and
/// /health over one <see cref="LanguageModel"/>. Concurrent requests are decoded together, a token each per step, up to
/// <see cref="ServerOptions.MaxBatch"/> at once (<see cref="BatchScheduler"/>; with 1 they take turns at the model a
/// token at a time); at most <see cref="ServerOptions.Queue"/> are inside at once, the rest get 503 with Retry-After.
/// Every request is logged on one line: method, path, status, milliseconds, prompt + generated tokens.
/// </summary>
internal sealed class CompletionServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AdmissionGate _gate;
    private readonly BatchScheduler? _batches;

    private CompletionServer(WebApplication app, AdmissionGate gate, BatchScheduler? batches, Uri address) =>
        (_app, _gate, _batches, Address) = (app, gate, batches, address);

    /// <summary>Generation requests admitted and not yet finished.</summary>
    public int InFlight => _gate.Inside;

    /// <summary>Generations in the decoding batch now (0 without batching).</summary>
    public int Batched => _batches?.Live ?? 0;

    /// <summary>The most generations decoded together so far (1 without batching, once a request has run).</summary>
    public int LargestBatch => _batches?.Largest ?? 1;

    /// <summary>The address it listens on (with the port chosen when <see cref="ServerOptions.Port"/> is 0).</summary>
    public Uri Address { get; }

    public static async Task<CompletionServer> StartAsync(LanguageModel model, ServerOptions options, TextWriter log, CancellationToken cancellationToken = default)
    {
        options = options.Validated();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();   // one line per request, written below
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{options.Host}:{options.Port}"));
        var app = builder.Build();
        var gate = new AdmissionGate(options.Queue);
        var batches = options.MaxBatch > 1 ? new BatchScheduler(model, options.MaxBatch) : null;
        var endpoints = new CompletionEndpoints(model, options, batches);
        long started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            bool admitted = !IsGeneration(context.Request.Path) || gate.TryEnter();
            try
            {
                if (!admitted)
                {
                    context.Response.Headers.RetryAfter = "1";
                    await Error(context, 503, $"the server is busy ({gate.Capacity} requests in progress); retry shortly.", "server_error", null);
                }
                else await Serve(context, next);
            }
            finally
            {
                // The line is written before the place is given back, so it is there when the next request gets in.
                Log(log, context, Stopwatch.GetElapsedTime(start));
                if (admitted && IsGeneration(context.Request.Path)) gate.Leave();
            }
        });
        app.MapGet("/health", context => CompletionEndpoints.WriteJsonAsync(context, new Health("ok"), ServeJson.Default.Health));
        app.MapGet("/v1/models", context => CompletionEndpoints.WriteJsonAsync(context,
            new ModelList("list", [new ModelCard(model.Name, "model", started, "sharpformer")]), ServeJson.Default.ModelList));
        app.MapPost("/v1/completions", endpoints.CompleteAsync);
        app.MapPost("/v1/chat/completions", endpoints.ChatAsync);
        await app.StartAsync(cancellationToken);
        return new CompletionServer(app, gate, batches, new Uri(app.Urls.First()));
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (Ctrl+C in the CLI).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_batches != null) await _batches.DisposeAsync();
    }

    private static bool IsGeneration(PathString path) => path.StartsWithSegments("/v1/completions") || path.StartsWithSegments("/v1/chat/completions");

    /// <summary>Runs the endpoint; a refused request gets OpenAI's error JSON, a client that went away is counted as 499.</summary>
    private static async Task Serve(HttpContext context, RequestDelegate next)
    {
        try { await next(context); }
        catch (BadRequestException e) when (!context.Response.HasStarted)
        {
            await Error(context, e.Status, e.Message, "invalid_request_error", e.Param);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Nothing more can reach the client; the log line says 499 (see Log).
        }
    }

    private static Task Error(HttpContext context, int status, string message, string type, string? param) =>
        CompletionEndpoints.WriteJsonAsync(context, new ErrorResponse(new ErrorBody(message, type, param, null)), ServeJson.Default.ErrorResponse, status);

    private static readonly Lock LogLock = new();

    private static void Log(TextWriter log, HttpContext context, TimeSpan elapsed)
    {
        var tokens = context.Items[CompletionEndpoints.TokensItem] is CompletionEndpoints.TokenCounts t ? $" {t.Prompt}+{t.Generated} tokens" : "";
        // 499, nginx's "client closed request": the client went away before the answer was complete.
        int status = context.RequestAborted.IsCancellationRequested ? 499 : context.Response.StatusCode;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:HH:mm:ss.fff} {context.Request.Method} {context.Request.Path} {status} {elapsed.TotalMilliseconds:F0} ms{tokens}");
        lock (LogLock) log.WriteLine(line);
    }
}
