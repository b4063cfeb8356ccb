using System.Text.Json.Serialization;

namespace Sharpformer.Inspection;

/// <summary>
/// One forward pass of a GPT or a translator, step by step, in the notation of the matrices: the tokens and
/// their ids (the ones of the one-hot A), X = A·E, the positions, and per layer Q, K, V, RW = Q·Kᵀ/√d,
/// W = softmax(RW) under the mask and Y = W·V for every head, the merged heads, the feed-forward neurons that
/// fire most and what each one pushes up, the top token after each layer (logit lens) and the next-token
/// distribution. Made by <see cref="Explainer"/>; serialises to the JSON of <c>sharpformer explain --json</c>.
/// Matrices are row-major arrays of rows, one row per token.
/// </summary>
/// <param name="Model"><c>gpt</c> or <c>translator</c>.</param>
/// <param name="Attention">The attention variant the model was configured with.</param>
/// <param name="Stacks">A GPT: one, <c>decoder</c>; a translator: <c>encoder</c> then <c>decoder</c>.</param>
/// <param name="NextTokens">The most likely next tokens after the last position, with probabilities.</param>
internal sealed record Explanation(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("attention")] string Attention,
    [property: JsonPropertyName("stacks")] ExplainedStack[] Stacks,
    [property: JsonPropertyName("next_tokens")] RankedToken[] NextTokens);

/// <summary>A token of the input: its id (the column of its one in A) and its text.</summary>
internal sealed record ExplainedToken(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("text")] string Text);

/// <summary>A token with a value: a probability (next tokens, logit lens) or a logit contribution (neurons).</summary>
internal sealed record RankedToken(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("value")] float Value);

/// <summary>
/// One stack of blocks with its input: <paramref name="TokenEmbedding"/> X = A·E (T, C) as the model reads it
/// (before the translator's √C scaling), <paramref name="Positions"/> (T, C) and <paramref name="Input"/> (T, C),
/// the residual stream entering the first block.
/// </summary>
internal sealed record ExplainedStack(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tokens")] ExplainedToken[] Tokens,
    [property: JsonPropertyName("token_embedding")] float[][] TokenEmbedding,
    [property: JsonPropertyName("positions")] float[][] Positions,
    [property: JsonPropertyName("input")] float[][] Input,
    [property: JsonPropertyName("layers")] ExplainedLayer[] Layers);

/// <summary>
/// One block: its attention (self, then cross in a translation decoder), the neurons of its feed-forward
/// block that fire most at each position, and (where the stack has an unembedding) the top token at each
/// position read from the residual stream after this block (<paramref name="LogitLens"/>).
/// </summary>
internal sealed record ExplainedLayer(
    [property: JsonPropertyName("layer")] int Layer,
    [property: JsonPropertyName("attention")] ExplainedAttention[] Attention,
    [property: JsonPropertyName("neurons")] ExplainedNeuron[] Neurons,
    [property: JsonPropertyName("logit_lens")] RankedToken[] LogitLens);

/// <summary>
/// One attention sub-layer: <paramref name="Kind"/> <c>self</c> or <c>cross</c>; <paramref name="Keys"/> are
/// the tokens looked at (the stack's own, or the source for cross-attention); <paramref name="Merged"/> (Tq, C)
/// the heads side by side and <paramref name="Projected"/> (Tq, C) after the output projection.
/// </summary>
internal sealed record ExplainedAttention(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("causal")] bool Causal,
    [property: JsonPropertyName("keys")] ExplainedToken[] Keys,
    [property: JsonPropertyName("heads")] ExplainedHead[] Heads,
    [property: JsonPropertyName("merged")] float[][] Merged,
    [property: JsonPropertyName("projected")] float[][] Projected);

/// <summary>
/// One head: Q (Tq, d), K and V (Tk, d), RW = Q·Kᵀ/√d (Tq, Tk; masked entries null), W = softmax(RW) (Tq, Tk),
/// Y = W·V (Tq, d); <paramref name="Entropy"/> the mean over rows of −Σ w·ln w (nats; ln Tk is uniform, 0 a
/// one-hot lookup) and <paramref name="MaxWeight"/> the mean over rows of the largest weight.
/// </summary>
internal sealed record ExplainedHead(
    [property: JsonPropertyName("head")] int Head,
    [property: JsonPropertyName("Q")] float[][] Q,
    [property: JsonPropertyName("K")] float[][] K,
    [property: JsonPropertyName("V")] float[][] V,
    [property: JsonPropertyName("RW")] float?[][] Scores,
    [property: JsonPropertyName("W")] float[][] Weights,
    [property: JsonPropertyName("Y")] float[][] Y,
    [property: JsonPropertyName("entropy")] double Entropy,
    [property: JsonPropertyName("max_weight")] double MaxWeight);

/// <summary>
/// A feed-forward neuron that fires strongly at a position: its activation after the nonlinearity, and the
/// tokens its output direction pushes up, read through the final norm's gain and the unembedding
/// (logit contribution per unit of activation, the centring of the final norm left out).
/// </summary>
internal sealed record ExplainedNeuron(
    [property: JsonPropertyName("position")] int Position,
    [property: JsonPropertyName("neuron")] int Neuron,
    [property: JsonPropertyName("activation")] float Activation,
    [property: JsonPropertyName("promotes")] RankedToken[] Promotes);
