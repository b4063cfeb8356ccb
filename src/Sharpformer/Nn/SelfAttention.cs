using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// Multi-head self-attention: one fused projection gives Q = X·W_q, K = X·W_k, V = X·W_v, the heads
/// attend independently (the key–value lookup softmax(Q·Kᵀ/√hs)·V), and a projection mixes them back.
/// A variant that <see cref="IAttentionVariant.ReadsInputAsQueryKeyValue"/> takes Q = K = V = X instead; one that
/// <see cref="IAttentionVariant.MergesQueryKey"/> takes Q = X·M_h, K = X and V = X·W_v.
/// </summary>
internal sealed class SelfAttention : Module
{
    private readonly Linear? _qkv;

    /// <summary>The fused W_q, W_k, W_v (3C, C); a merged query–key layer has <see cref="QueryKey"/> and <see cref="Value"/> instead.</summary>
    public Linear Qkv => _qkv ?? throw new InvalidOperationException("merged-qk attention has no fused W_q, W_k, W_v: its projections are QueryKey and Value.");

    /// <summary>Merged query–key attention's M_1 … M_nh stacked, (nh·C, C); null for every other variant.</summary>
    public Linear? QueryKey { get; }

    /// <summary>Merged query–key attention's W_v (C, C); null for every other variant.</summary>
    public Linear? Value { get; }

    public Linear Proj { get; }
    public int Heads { get; }
    public IAttentionVariant Variant { get; }

    /// <summary>Width of one head's keys: hs, or C for merged query–key attention (whose keys are X itself).</summary>
    public int KeyWidth { get; }

    public SelfAttention(Rng rng, int channels, int heads, bool bias, float residualStd, IAttentionVariant variant)
    {
        if (channels % heads != 0) throw new ArgumentException($"Embedding width {channels} does not divide into {heads} heads.");
        // Drawn for every variant, so that the draws after it (and a merged layer's start) are the same.
        var qkv = new Linear(rng, channels, 3 * channels, bias);
        if (variant.MergesQueryKey)
        {
            var w = qkv.Weight.Value;
            QueryKey = MergedQueryKey.FromProjections(MergedQueryKey.Rows(w, 0, channels), MergedQueryKey.Rows(w, channels, channels), heads);
            Value = new Linear(MergedQueryKey.Rows(w, 2 * channels, channels), bias ? new Tensor(channels) : null);
        }
        else _qkv = qkv;
        Proj = new Linear(rng, channels, channels, bias, residualStd);
        Heads = heads;
        Variant = variant;
        KeyWidth = variant.MergesQueryKey ? channels : channels / heads;
    }

    // x: (B, T, C) -> (B, T, C)
    public Variable Forward(Tape tape, Variable x, AttentionMask mask)
    {
        var (q, k, v) = QueryKeyValue(tape, x);
        AttentionProbe.Report(tape, q, k, v, mask, ActivationNames.Query, ActivationNames.Key, ActivationNames.Value,
            ActivationNames.Scores, ActivationNames.Weights);
        var y = Variant.Forward(tape, q, k, v, mask);                    // (B, nh, T, hs)
        return Project(tape, y);                                          // (B, T, C)
    }

    // x (B, T, C) -> q, k (B, nh, T, hs, or C when merged) and v (B, nh, T, hs)
    private (Variable Q, Variable K, Variable V) QueryKeyValue(Tape tape, Variable x)
    {
        if (Variant.ReadsInputAsQueryKeyValue)
        {
            var heads = tape.SplitHeads(x, Heads);                        // Q = K = V = X
            return (heads, heads, heads);
        }
        if (Variant.MergesQueryKey)
            return (tape.SplitHeads(QueryKey!.Forward(tape, x), Heads),  // X·M_h: (B, T, nh·C) -> (B, nh, T, C)
                tape.RepeatHeads(x, Heads),                                 // K = X for every head
                tape.SplitHeads(Value!.Forward(tape, x), Heads));
        var qkv = Qkv.Forward(tape, x);                                   // (B, T, 3C)
        return (tape.SplitHeads(qkv, Heads, part: 0, parts: 3), tape.SplitHeads(qkv, Heads, part: 1, parts: 3),
            tape.SplitHeads(qkv, Heads, part: 2, parts: 3));
    }

    // (B, nh, T, hs) -> (B, T, C), reporting the merged heads and the projection.
    private Variable Project(Tape tape, Variable y)
    {
        tape.Observe(ActivationNames.HeadOutput, y);
        var merged = tape.MergeHeads(y);
        tape.Observe(ActivationNames.Merged, merged);
        var output = Proj.Forward(tape, merged);
        tape.Observe(ActivationNames.AttentionOut, output);
        return output;
    }

    /// <summary>
    /// Decoding with a cache: x holds only the new positions (B, Tnew, C); their keys and values are
    /// appended to <paramref name="cache"/> (with the queries, for a variant that chooses keys from past
    /// queries) and the queries attend over everything cached so far.
    /// </summary>
    public Variable ForwardCached(Tape tape, Variable x, LayerKvCache cache)
    {
        bool keepQueries = Variant.ChoosesFromPastQueries;
        var (q, kNew, vNew) = QueryKeyValue(tape, x);                     // (B, nh, Tnew, ·)
        cache.Append(kNew.Value, vNew.Value, keepQueries ? q.Value : null);
        var (k, v) = cache.View(tape);                                     // (B, nh, Tcached, ·)
        AttentionProbe.Report(tape, q, k, v, AttentionMask.CausalOnly, ActivationNames.Query, ActivationNames.Key, ActivationNames.Value,
            ActivationNames.Scores, ActivationNames.Weights);
        var y = Variant.ForwardCached(tape, q, k, v, keepQueries ? cache.ViewQueries(tape) : null);
        return Project(tape, y);
    }

    /// <summary>
    /// Decoding several sequences at once, one new token each: row b of x (B, 1, C) is the next token of the sequence
    /// whose keys and values are in <paramref name="caches"/>[b] (a one-sequence cache, of that sequence's own length).
    /// The projections run over all rows together; each query attends over its own cache alone, so row b is what
    /// <see cref="ForwardCached"/> gives that sequence by itself (on a tape that keeps rows apart, bit for bit).
    /// </summary>
    public Variable ForwardCachedRows(Tape tape, Variable x, IReadOnlyList<LayerKvCache> caches)
    {
        int batch = x.Dim(0), channels = x.Dim(-1), headSize = channels / Heads;
        if (x.Value.Rank != 3 || x.Dim(1) != 1 || caches.Count != batch)
            throw new ArgumentException($"attention rows: expected input (B, 1, C) and B caches, got {Tensors.ShapeOf.Format(x.Shape)} and {caches.Count}.");
        bool keepQueries = Variant.ChoosesFromPastQueries;
        Variable q, k, v;                                                  // (B, nh, 1, hs)
        if (Variant.ReadsInputAsQueryKeyValue) q = k = v = tape.SplitHeads(x, Heads);
        else
        {
            var qkv = Qkv.Forward(tape, x);                                // (B, 1, 3C)
            q = tape.SplitHeads(qkv, Heads, part: 0, parts: 3);
            k = tape.SplitHeads(qkv, Heads, part: 1, parts: 3);
            v = tape.SplitHeads(qkv, Heads, part: 2, parts: 3);
        }
        var y = tape.Borrow(batch, Heads, 1, headSize);                    // (B, nh, 1, hs)
        for (int b = 0; b < batch; b++)
        {
            var qb = Row(tape, q, b);                                      // (1, nh, 1, hs)
            caches[b].Append(Row(tape, k, b), Row(tape, v, b), keepQueries ? qb : null);
            var (kc, vc) = caches[b].View(tape);                           // (1, nh, Tcached_b, hs)
            var yb = Variant.ForwardCached(tape, Variable.Constant(qb, "q"), kc, vc, keepQueries ? caches[b].ViewQueries(tape) : null);
            yb.Value.Span.CopyTo(y.Span.Slice(b * channels, channels));
        }
        return Project(tape, Variable.Constant(y, "attention_rows"));
    }

    // Row b of (B, nh, 1, hs) as its own (1, nh, 1, hs) tensor.
    private Tensor Row(Tape tape, Variable rows, int b)
    {
        int size = rows.Value.Size / rows.Dim(0);
        var row = tape.Borrow(1, Heads, 1, size / Heads);
        rows.Value.Span.Slice(b * size, size).CopyTo(row.Span);
        return row;
    }

    protected override IEnumerable<(string, Module)> Children()
    {
        if (_qkv != null) yield return ("qkv", _qkv);
        else
        {
            yield return ("qk", QueryKey!);
            yield return ("v", Value!);
        }
        yield return ("proj", Proj);
    }
}
