using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// The keys and values a decoder attends to: the encoder output projected once per layer,
/// (B, nh, Ts, hs) each, with the source lengths that mask the padding.
/// </summary>
internal sealed record CrossMemory(Variable Keys, Variable Values, int[] SourceLengths);

/// <summary>
/// Encoder–decoder attention: queries come from the decoder, keys and values from the encoder output,
/// so each target position looks up the source positions relevant to it.
/// </summary>
internal sealed class CrossAttention : Module
{
    public Linear Query { get; }
    public Linear KeyValue { get; }
    public Linear Proj { get; }
    public int Heads { get; }
    public IAttentionVariant Variant { get; }

    public CrossAttention(Rng rng, int channels, int heads, bool bias, float residualStd, IAttentionVariant variant)
    {
        if (channels % heads != 0) throw new ArgumentException($"Embedding width {channels} does not divide into {heads} heads.");
        Query = new Linear(rng, channels, channels, bias);
        KeyValue = new Linear(rng, channels, 2 * channels, bias);
        Proj = new Linear(rng, channels, channels, bias, residualStd);
        Heads = heads;
        Variant = variant;
    }

    /// <summary>Projects the encoder output (B, Ts, C) into this layer's keys and values; done once per source batch.</summary>
    public CrossMemory Remember(Tape tape, Variable encoderOutput, int[] sourceLengths)
    {
        if (Variant.ReadsInputAsQueryKeyValue)
        {
            var heads = tape.SplitHeads(encoderOutput, Heads);              // K = V = the encoder output: (B, nh, Ts, hs)
            return new CrossMemory(heads, heads, sourceLengths);
        }
        var kv = KeyValue.Forward(tape, encoderOutput);                  // (B, Ts, 2C)
        return new CrossMemory(tape.SplitHeads(kv, Heads, part: 0, parts: 2), tape.SplitHeads(kv, Heads, part: 1, parts: 2), sourceLengths);
    }

    // x: (B, Tt, C) -> (B, Tt, C)
    public Variable Forward(Tape tape, Variable x, CrossMemory memory)
    {
        var q = tape.SplitHeads(Variant.ReadsInputAsQueryKeyValue ? x : Query.Forward(tape, x), Heads);   // (B, nh, Tt, hs)
        var mask = new AttentionMask(false, memory.SourceLengths);
        AttentionProbe.Report(tape, q, memory.Keys, memory.Values, mask, ActivationNames.CrossQuery, ActivationNames.CrossKey,
            ActivationNames.CrossValue, ActivationNames.CrossScores, ActivationNames.CrossWeights);
        var y = Variant.Forward(tape, q, memory.Keys, memory.Values, mask);
        tape.Observe(ActivationNames.CrossHeadOutput, y);
        var merged = tape.MergeHeads(y);                                   // (B, Tt, C)
        tape.Observe(ActivationNames.CrossMerged, merged);
        var output = Proj.Forward(tape, merged);
        tape.Observe(ActivationNames.CrossOut, output);
        return output;
    }

    protected override IEnumerable<(string, Module)> Children()
    {
        yield return ("q", Query);
        yield return ("kv", KeyValue);
        yield return ("proj", Proj);
    }
}
