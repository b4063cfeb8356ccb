using System.CommandLine;
using Sharpformer.Cli.Serving;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer serve`: an OpenAI-compatible HTTP server over a trained GPT, until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServerOptions();
        var model = SharedOptions.Model();
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => defaults.Host };
        var port = new Option<int>("--port") { Description = "Port (0: any free port)", DefaultValueFactory = _ => defaults.Port };
        var queue = new Option<int>("--queue") { Description = "Requests served or waiting at once; more get 503 with Retry-After", DefaultValueFactory = _ => defaults.Queue };
        var tokenLimit = new Option<int>("--token-limit") { Description = "Largest max_tokens a request may ask for", DefaultValueFactory = _ => defaults.TokenLimit };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens generated when a request does not say", DefaultValueFactory = _ => defaults.DefaultMaxNewTokens };
        var maxBatch = new Option<int>("--max-batch") { Description = "Generations decoded together, a token each per step (1: each alone, taking turns)", DefaultValueFactory = _ => defaults.MaxBatch };
        var cmd = new Command("serve", "Serve a trained GPT over OpenAI's HTTP API: /v1/completions, /v1/chat/completions, /v1/models, /health.")
            { model, host, port, queue, tokenLimit, maxNew, maxBatch };
        cmd.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ServerOptions(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(queue), parse.GetValue(tokenLimit),
                parse.GetValue(maxNew), parse.GetValue(maxBatch)).Validated();
            var dir = parse.GetValue(model)!;
            Sharpformer.Training.ModelDirectory.Resolve(dir);   // names --model in the message when the folder is wrong
            var language = LanguageModel.Load(dir);
            var error = parse.InvocationConfiguration.Error;
            await using var server = await CompletionServer.StartAsync(language, options, error, cancellationToken);
            error.WriteLine($"serving {language.Name} ({language.ParameterCount:N0} parameters) on {server.Address} (Ctrl+C stops)");
            await server.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return cmd;
    }
}
