using Sharpformer.Autograd;
using Sharpformer.Kernels;

namespace Sharpformer.Attention;

/// <summary>
/// Sliding-window (local) attention: query i sees the keys j with |i − j| &lt; window (with the causal mask,
/// i − window &lt; j ≤ i), optionally plus <paramref name="globalTokens"/> global positions (Longformer) and
/// <paramref name="randomBlocks"/> random key tiles per query tile (BigBird, drawn once from
/// <paramref name="seed"/>). Computed block-sparse: only the key tiles the pattern touches are visited, so
/// cost grows as T·window instead of T².
/// </summary>
internal sealed class WindowVariant : IAttentionVariant
{
    // Patterns depend only on (Tq, Tk, causal) and the options, so each is built once and reused by every layer.
    // Decoding meets a new Tk every step: past MaxCachedPatterns the cache is emptied. A pattern is never
    // rebuilt in place, so a backward pass still holding a dropped one reads it intact.
    private const int MaxCachedPatterns = 8;
    private readonly Dictionary<(int, int, bool), BlockSparsePattern> _patterns = [];

    public WindowVariant(int window = 256, int globalTokens = 0, int randomBlocks = 0, ulong seed = 0, int tileSize = 64)
    {
        if (window < 1) throw new ArgumentException($"window must be at least 1, got {window}.", nameof(window));
        if (globalTokens < 0) throw new ArgumentException($"globalTokens must be at least 0, got {globalTokens}.", nameof(globalTokens));
        if (randomBlocks < 0) throw new ArgumentException($"randomBlocks must be at least 0, got {randomBlocks}.", nameof(randomBlocks));
        if (tileSize < 1) throw new ArgumentException($"tileSize must be at least 1, got {tileSize}.", nameof(tileSize));
        Window = window; GlobalTokens = globalTokens; RandomBlocks = randomBlocks; Seed = seed; TileSize = tileSize;
    }

    public int Window { get; }
    public int GlobalTokens { get; }
    public int RandomBlocks { get; }
    public ulong Seed { get; }
    public int TileSize { get; }

    public string Name => $"window:{Window}" + (GlobalTokens > 0 || RandomBlocks > 0 ? $":{GlobalTokens}:{RandomBlocks}" : "");

    public Variable Forward(Tape tape, Variable q, Variable k, Variable v, AttentionMask mask) =>
        tape.SparseAttention(q, k, v, mask.Causal, mask.KeyLengths, PatternFor(q.Dim(2), k.Dim(2), mask.Causal, q.Dim(3)));

    /// <summary>The (cached) pattern for queries of length tq against keys of length tk.</summary>
    public BlockSparsePattern PatternFor(int tq, int tk, bool causal, int headSize = 1)
    {
        lock (_patterns)
        {
            if (_patterns.TryGetValue((tq, tk, causal), out var pattern)) return pattern;
            if (_patterns.Count >= MaxCachedPatterns) _patterns.Clear();
            pattern = new BlockSparsePattern();
            BlockSparseWindowPattern.Build(pattern, AttentionShape.Create(1, 1, tq, tk, headSize, causal), TileSize, Window, GlobalTokens, RandomBlocks, Seed);
            _patterns[(tq, tk, causal)] = pattern;
            return pattern;
        }
    }
}
