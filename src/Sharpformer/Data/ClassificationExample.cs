namespace Sharpformer.Data;

/// <summary>A token sequence and its class, as a sequence classifier reads it (the classification token first).</summary>
internal sealed record ClassificationExample(int[] Tokens, int Label);
