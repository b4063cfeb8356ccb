namespace Sharpformer.Cli.Serving;

/// <summary>
/// Bounds the requests being served or waiting for the model: past <see cref="Capacity"/> a request is turned away
/// at once (503 with Retry-After) rather than queued without end.
/// </summary>
internal sealed class AdmissionGate(int capacity)
{
    private int _inside;

    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentException($"--queue must be ≥ 1, got {capacity}.");

    /// <summary>Requests admitted and not yet finished.</summary>
    public int Inside => Volatile.Read(ref _inside);

    /// <summary>Admits a request if there is room; the caller must <see cref="Leave"/> once when it is done.</summary>
    public bool TryEnter()
    {
        while (true)
        {
            int now = Volatile.Read(ref _inside);
            if (now >= Capacity) return false;
            if (Interlocked.CompareExchange(ref _inside, now + 1, now) == now) return true;
        }
    }

    public void Leave() => Interlocked.Decrement(ref _inside);
}
