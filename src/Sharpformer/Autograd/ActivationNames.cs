namespace Sharpformer.Autograd;

/// <summary>
/// The probe points models report to an <see cref="IActivationObserver"/>, with the shape each value has.
/// B batch, T time (Tq queries, Tk keys; in cross-attention the keys are the source), C channels, nh heads,
/// hs head size, H the feed-forward width, V vocabulary.
/// </summary>
internal static class ActivationNames
{
    /// <summary>The stack of a translator's encoder.</summary>
    public const string Encoder = "encoder";
    /// <summary>The stack of a translator's decoder, and of a GPT's blocks.</summary>
    public const string Decoder = "decoder";

    // Outside the blocks (layer ActivationSite.Outside).
    /// <summary>(B, T, C): the rows of the token embedding E picked by the ids, X = A·E with A one-hot (before any scaling).</summary>
    public const string TokenEmbedding = "token_embedding";
    /// <summary>(T, C): the position code added to every sequence of the batch (learned rows or sinusoids).</summary>
    public const string Positions = "positions";
    /// <summary>(B, T, C): the residual stream entering the first block (scaled tokens plus positions, before dropout).</summary>
    public const string Input = "input";
    /// <summary>(B, T, C): the final LayerNorm of the stack's last block output.</summary>
    public const string FinalNorm = "final_norm";
    /// <summary>(B, T, V): the output logits (final norm times the tied embedding Eᵀ).</summary>
    public const string Logits = "logits";

    // In each block.
    /// <summary>(B, T, C): LayerNorm before self-attention.</summary>
    public const string Ln1 = "ln1";
    /// <summary>(B, nh, Tq, hs): self-attention queries Q.</summary>
    public const string Query = "attn.q";
    /// <summary>(B, nh, Tk, hs): self-attention keys K.</summary>
    public const string Key = "attn.k";
    /// <summary>(B, nh, Tk, hs): self-attention values V.</summary>
    public const string Value = "attn.v";
    /// <summary>(B, nh, Tq, Tk): RW = Q·Kᵀ/√hs with masked entries −∞.</summary>
    public const string Scores = "attn.scores";
    /// <summary>(B, nh, Tq, Tk): W = softmax(RW), rows summing to one (exact attention's, whatever the variant).</summary>
    public const string Weights = "attn.weights";
    /// <summary>(B, nh, Tq, hs): the variant's output per head, Y = W·V for exact attention.</summary>
    public const string HeadOutput = "attn.y";
    /// <summary>(B, T, C): the heads side by side, before the output projection.</summary>
    public const string Merged = "attn.merged";
    /// <summary>(B, T, C): the self-attention branch after its output projection.</summary>
    public const string AttentionOut = "attn.out";
    /// <summary>(B, T, C): the residual stream after adding self-attention.</summary>
    public const string AfterAttention = "resid.attn";
    /// <summary>(B, T, C): LayerNorm before cross-attention (translation decoder).</summary>
    public const string LnCross = "ln_cross";
    /// <summary>(B, nh, Tq, hs): cross-attention queries, from the decoder.</summary>
    public const string CrossQuery = "cross.q";
    /// <summary>(B, nh, Ts, hs): cross-attention keys, from the encoder output.</summary>
    public const string CrossKey = "cross.k";
    /// <summary>(B, nh, Ts, hs): cross-attention values, from the encoder output.</summary>
    public const string CrossValue = "cross.v";
    /// <summary>(B, nh, Tq, Ts): cross-attention scores, padding −∞.</summary>
    public const string CrossScores = "cross.scores";
    /// <summary>(B, nh, Tq, Ts): cross-attention weights.</summary>
    public const string CrossWeights = "cross.weights";
    /// <summary>(B, nh, Tq, hs): cross-attention output per head.</summary>
    public const string CrossHeadOutput = "cross.y";
    /// <summary>(B, Tq, C): cross-attention heads side by side.</summary>
    public const string CrossMerged = "cross.merged";
    /// <summary>(B, Tq, C): the cross-attention branch after its output projection.</summary>
    public const string CrossOut = "cross.out";
    /// <summary>(B, T, C): the residual stream after adding cross-attention.</summary>
    public const string AfterCross = "resid.cross";
    /// <summary>(B, T, C): LayerNorm before the feed-forward block.</summary>
    public const string Ln2 = "ln2";
    /// <summary>(B, T, H): the feed-forward block's first projection, before the nonlinearity.</summary>
    public const string MlpHidden = "mlp.hidden";
    /// <summary>(B, T, H): the feed-forward neurons after the nonlinearity.</summary>
    public const string MlpActivation = "mlp.act";
    /// <summary>(B, T, C): the feed-forward branch after its second projection.</summary>
    public const string MlpOut = "mlp.out";
    /// <summary>(B, T, C): the block's output, the residual stream after adding the feed-forward block.</summary>
    public const string Output = "output";
}
