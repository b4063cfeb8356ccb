namespace Sharpformer.Cli.Serving;

/// <summary>
/// Where `sharpformer serve` listens and what it allows: <see cref="Queue"/> requests at once (being generated or
/// waiting for the model), answers of at most <see cref="MaxTokens"/> tokens, <see cref="DefaultMaxTokens"/> when a
/// request does not say.
/// </summary>
internal sealed record ServerOptions(string Host = "127.0.0.1", int Port = 8080, int Queue = 32, int MaxTokens = 2048, int DefaultMaxTokens = 256)
{
    public ServerOptions Validated()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"--port must be in 0..65535 (0: any free port), got {Port}.");
        if (Queue < 1) throw new ArgumentException($"--queue must be ≥ 1, got {Queue}.");
        if (MaxTokens < 1) throw new ArgumentException($"--max-tokens must be ≥ 1, got {MaxTokens}.");
        if (DefaultMaxTokens < 1 || DefaultMaxTokens > MaxTokens)
            throw new ArgumentException($"--default-max-tokens must be in 1..{MaxTokens} (--max-tokens), got {DefaultMaxTokens}.");
        return this;
    }
}
