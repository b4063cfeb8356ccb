using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Sharpformer.Generation;

namespace Sharpformer.Cli.Serving;

/// <summary>
/// Continuous batching for `sharpformer serve`: one loop decodes every live generation together, a token each per
/// step (<see cref="BatchedDecoder"/>). Requests wait in arrival order and join between steps while fewer than
/// <see cref="MaxBatch"/> are live; a generation that ends, or whose client goes away, leaves before the next step
/// and frees its row. Each request streams its own tokens through a channel, with its own settings; its tokens are
/// those it gets decoded alone.
/// </summary>
internal sealed class BatchScheduler : IAsyncDisposable
{
    private readonly LanguageModel _model;
    private readonly BatchedDecoder _decoder;
    private readonly ConcurrentQueue<Generation> _waiting = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _live, _largest;

    public BatchScheduler(LanguageModel model, int maxBatch)
    {
        if (maxBatch < 1) throw new ArgumentException($"--max-batch must be ≥ 1, got {maxBatch}.");
        (_model, MaxBatch) = (model, maxBatch);
        _decoder = model.NewBatchedDecoder();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Most generations decoded together.</summary>
    public int MaxBatch { get; }

    /// <summary>Generations in the batch now (for tests and the bench).</summary>
    public int Live => Volatile.Read(ref _live);

    /// <summary>The most generations one step has decoded together so far.</summary>
    public int Largest => Volatile.Read(ref _largest);

    /// <summary>
    /// Queues a generation after <paramref name="prompt"/>; checks the prompt and settings now. Its tokens come as the
    /// batch makes them; <paramref name="cancellationToken"/> (the client going away) takes it out of the batch.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt encodes to no token, or a setting is out of range.</exception>
    public IAsyncEnumerable<GeneratedToken> Generate(string prompt, GenerationSettings settings, CancellationToken cancellationToken)
    {
        var generation = new Generation(_decoder.Start(prompt, settings), _wake);
        generation.LeaveWhen(cancellationToken);
        _waiting.Enqueue(generation);
        _wake.Release();
        return Read(generation, cancellationToken);
    }

    private static async IAsyncEnumerable<GeneratedToken> Read(Generation generation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var token in generation.Tokens.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return token;
        }
        finally { generation.Leave(); }   // done, cancelled, or the reader failed: its row goes at the next step
    }

    private async Task LoopAsync()
    {
        var live = new List<Generation>();
        try
        {
            while (true)
            {
                foreach (var gone in live.Where(g => g.HasLeft)) gone.End(null);
                live.RemoveAll(g => g.HasLeft);
                while (live.Count < MaxBatch && _waiting.TryDequeue(out var next))
                {
                    if (next.HasLeft) next.End(null);
                    else live.Add(next);
                }
                Volatile.Write(ref _live, live.Count);
                if (live.Count > _largest) Volatile.Write(ref _largest, live.Count);
                if (live.Count == 0)
                {
                    await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
                    continue;
                }
                await _model.Turn.WaitAsync(_stop.Token).ConfigureAwait(false);
                GeneratedToken[] tokens;
                try { tokens = _decoder.Step([.. live.Select(g => g.Sequence)]); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    foreach (var g in live) g.End(e);
                    live.Clear();
                    continue;
                }
                finally { _model.Turn.Release(); }
                for (int i = 0; i < live.Count; i++)
                {
                    live[i].Tokens.Writer.TryWrite(tokens[i]);
                    if (tokens[i].Finish != null) live[i].End(null);
                }
                live.RemoveAll(g => g.Sequence.Finished);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            foreach (var g in live.Concat(_waiting)) g.End(new OperationCanceledException("the server is stopping."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _decoder.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }

    /// <summary>One request's generation: its sequence, the channel its tokens go through, and whether its reader has gone.</summary>
    private sealed class Generation(DecodingSequence sequence, SemaphoreSlim wake)
    {
        private int _left;
        private CancellationTokenRegistration _registration;

        public DecodingSequence Sequence { get; } = sequence;

        public Channel<GeneratedToken> Tokens { get; } =
            Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public bool HasLeft => Volatile.Read(ref _left) != 0;

        public void LeaveWhen(CancellationToken cancellationToken) => _registration = cancellationToken.Register(Leave);

        /// <summary>The reader is gone: the loop drops the generation before its next step.</summary>
        public void Leave()
        {
            if (Interlocked.Exchange(ref _left, 1) != 0) return;
            try { wake.Release(); }
            catch (ObjectDisposedException) { }   // the server has stopped
        }

        /// <summary>Closes the channel, with <paramref name="error"/> for the reader if there is one.</summary>
        public void End(Exception? error)
        {
            Tokens.Writer.TryComplete(error);
            _registration.Dispose();
        }
    }
}
