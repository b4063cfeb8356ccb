namespace Sharpformer.Attention;

/// <summary>
/// Which keys each query may see. Causal: query i sees keys j ≤ i + (Tk − Tq) (the ends are aligned, so a
/// decoding step with one query sees the whole cache). KeyLengths: per batch row, keys at or past the
/// length are padding (right-padded sequences); null means no padding.
/// </summary>
internal sealed record AttentionMask(bool Causal, int[]? KeyLengths = null)
{
    public static readonly AttentionMask None = new(false);
    public static readonly AttentionMask CausalOnly = new(true);
}
