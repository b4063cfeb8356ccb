namespace Sharpformer.Cli.Serving;

/// <summary>
/// Where `sharpformer serve` listens and what it allows: <see cref="Queue"/> requests at once (being generated or
/// waiting for the model), answers of at most <see cref="TokenLimit"/> tokens, <see cref="DefaultMaxNewTokens"/> when a
/// request does not say; up to <see cref="MaxBatch"/> generations decoded together (1: each alone, taking turns a token at a time).
/// </summary>
internal sealed record ServerOptions(string Host = "127.0.0.1", int Port = 8080, int Queue = 32, int TokenLimit = 2048, int DefaultMaxNewTokens = 256,
    int MaxBatch = ServerOptions.DefaultMaxBatch)
{
    /// <summary>
    /// As many rows as the default queue has requests: the decoder is faster in batches, and the served figures under 32
    /// concurrent clients (docs/serving.md) show no cost to it on the shared machine they were measured on.
    /// </summary>
    public const int DefaultMaxBatch = 32;

    public ServerOptions Validated()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"--port must be in 0..65535 (0: any free port), got {Port}.");
        if (Queue < 1) throw new ArgumentException($"--queue must be ≥ 1, got {Queue}.");
        if (MaxBatch < 1) throw new ArgumentException($"--max-batch must be ≥ 1 (1: no batching), got {MaxBatch}.");
        if (TokenLimit < 1) throw new ArgumentException($"--token-limit must be ≥ 1, got {TokenLimit}.");
        if (DefaultMaxNewTokens < 1 || DefaultMaxNewTokens > TokenLimit)
            throw new ArgumentException($"--max-new-tokens must be in 1..{TokenLimit} (--token-limit), got {DefaultMaxNewTokens}.");
        return this;
    }
}
