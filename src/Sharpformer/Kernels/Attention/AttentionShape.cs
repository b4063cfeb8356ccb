namespace Sharpformer.Kernels;

/// <summary>
/// Sizes and masking of one attention call. Q is (Batch·Heads, QueryLength, HeadSize), K and V are
/// (Batch·Heads, KeyLength, HeadSize), O is like Q; all contiguous row-major fp32.
/// <para>Masks: with <see cref="Causal"/>, query i sees keys j ≤ i + (KeyLength − QueryLength), so the ends of
/// the two sequences line up (a cached decoder step with one query sees every key). An optional
/// <c>keyLengths</c> span (one entry per batch item, shared by its heads) hides keys j ≥ keyLengths[b]
/// (right padding). A query that sees no key outputs zeros and receives zero gradients.</para>
/// </summary>
internal readonly record struct AttentionShape(int Batch, int Heads, int QueryLength, int KeyLength, int HeadSize, bool Causal, float Scale)
{
    /// <summary>An unmasked or causal shape with the usual scale 1/√HeadSize.</summary>
    public static AttentionShape Create(int batch, int heads, int queryLength, int keyLength, int headSize, bool causal)
        => new(batch, heads, queryLength, keyLength, headSize, causal, 1f / MathF.Sqrt(headSize));

    /// <summary>Batch·Heads: the number of independent attention problems.</summary>
    public int BatchHeads => Batch * Heads;

    /// <summary>Elements of Q or O: (B·nh, Tq, hs).</summary>
    public long QuerySize => (long)BatchHeads * QueryLength * HeadSize;

    /// <summary>Elements of K or V: (B·nh, Tk, hs).</summary>
    public long KeySize => (long)BatchHeads * KeyLength * HeadSize;

    /// <summary>Elements of the probability matrix: (B·nh, Tq, Tk).</summary>
    public long ScoreSize => (long)BatchHeads * QueryLength * KeyLength;

    /// <summary>Elements of the log-sum-exp vector: (B·nh, Tq).</summary>
    public long RowCount => (long)BatchHeads * QueryLength;

    /// <summary>Causal offset Tk − Tq: query i sees keys j ≤ i + CausalOffset.</summary>
    public int CausalOffset => KeyLength - QueryLength;

    /// <summary>
    /// Number of keys query <paramref name="i"/> of batch item with <paramref name="keyLength"/> visible keys
    /// can see: keys [0, result). Zero means the row is fully masked. The one statement of the mask rule: the
    /// kernels, their reference and the autograd mask op (<c>Tape.Mask</c>) all ask here.
    /// </summary>
    public int VisibleKeys(int i, int keyLength)
    {
        int end = Causal ? Math.Min(keyLength, i + CausalOffset + 1) : keyLength;
        return Math.Max(end, 0);
    }

    /// <summary>Visible key count of batch item <paramref name="b"/>: keyLengths[b], or all keys when empty.</summary>
    public int KeyLengthOf(ReadOnlySpan<int> keyLengths, int b) => keyLengths.IsEmpty ? KeyLength : keyLengths[b];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first size or key length out of range.</summary>
    public void Validate(ReadOnlySpan<int> keyLengths)
    {
        if (Batch < 1) throw new ArgumentException($"Attention batch must be at least 1, got {Batch}.", nameof(Batch));
        if (Heads < 1) throw new ArgumentException($"Attention heads must be at least 1, got {Heads}.", nameof(Heads));
        if (QueryLength < 1) throw new ArgumentException($"Attention query length must be at least 1, got {QueryLength}.", nameof(QueryLength));
        if (KeyLength < 1) throw new ArgumentException($"Attention key length must be at least 1, got {KeyLength}.", nameof(KeyLength));
        if (HeadSize < 1) throw new ArgumentException($"Attention head size must be at least 1, got {HeadSize}.", nameof(HeadSize));
        if (!float.IsFinite(Scale)) throw new ArgumentException($"Attention scale must be finite, got {Scale}.", nameof(Scale));
        if (QuerySize > int.MaxValue || KeySize > int.MaxValue)
            throw new ArgumentException($"Attention tensors must have at most {int.MaxValue} elements, got Q {QuerySize} and K {KeySize}.");
        if (keyLengths.IsEmpty) return;
        if (keyLengths.Length != Batch)
            throw new ArgumentException($"keyLengths must have one entry per batch item ({Batch}), got {keyLengths.Length}.", nameof(keyLengths));
        for (int b = 0; b < Batch; b++)
            if (keyLengths[b] < 0 || keyLengths[b] > KeyLength)
                throw new ArgumentException($"keyLengths[{b}] must be in [0, {KeyLength}], got {keyLengths[b]}.", nameof(keyLengths));
    }

    /// <summary>Throws when a span of <paramref name="actual"/> elements should hold <paramref name="expected"/>.</summary>
    internal static void Require(int actual, long expected, string name, string layout)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} must have {expected} elements {layout}, got {actual}.", name);
    }

    // The layout text is built only on failure, so a correct call allocates nothing.
    internal void RequireQuery(int actual, string name)
    {
        if (actual != QuerySize) Require(actual, QuerySize, name, $"(B·nh={BatchHeads}, Tq={QueryLength}, hs={HeadSize})");
    }

    internal void RequireKey(int actual, string name)
    {
        if (actual != KeySize) Require(actual, KeySize, name, $"(B·nh={BatchHeads}, Tk={KeyLength}, hs={HeadSize})");
    }

    internal void RequireScores(int actual, string name)
    {
        if (actual != ScoreSize) Require(actual, ScoreSize, name, $"(B·nh={BatchHeads}, Tq={QueryLength}, Tk={KeyLength})");
    }

    /// <summary>Checks the sizes of the buffers every log-sum-exp based backward pass takes.</summary>
    internal void RequireBackwardBuffers(int o, int lse, int dO, int dQ, int dK, int dV)
    {
        RequireQuery(o, nameof(o));
        RequireRows(lse, nameof(lse));
        RequireQuery(dO, nameof(dO));
        RequireQuery(dQ, nameof(dQ));
        RequireKey(dK, nameof(dK));
        RequireKey(dV, nameof(dV));
    }

    internal void RequireRows(int actual, string name)
    {
        if (actual != RowCount) Require(actual, RowCount, name, $"(B·nh={BatchHeads}, Tq={QueryLength})");
    }
}
