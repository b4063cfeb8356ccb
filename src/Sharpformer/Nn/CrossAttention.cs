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
    private readonly Linear? _query, _keyValue;

    /// <summary>W_q (C, C); a merged query–key layer has <see cref="QueryKey"/> instead.</summary>
    public Linear Query => _query ?? throw new InvalidOperationException("merged-qk cross-attention has no W_q: its queries come from QueryKey.");

    /// <summary>W_k and W_v fused (2C, C); a merged query–key layer has <see cref="Value"/> instead.</summary>
    public Linear KeyValue => _keyValue ?? throw new InvalidOperationException("merged-qk cross-attention has no W_k: its keys are the encoder output itself.");

    /// <summary>Merged query–key attention's M_1 … M_nh stacked, (nh·C, C); null for every other variant.</summary>
    public Linear? QueryKey { get; }

    /// <summary>Merged query–key attention's W_v (C, C); null for every other variant.</summary>
    public Linear? Value { get; }

    public Linear Proj { get; }
    public int Heads { get; }
    public IAttentionVariant Variant { get; }

    public CrossAttention(Rng rng, int channels, int heads, bool bias, float residualStd, IAttentionVariant variant)
    {
        if (channels % heads != 0) throw new ArgumentException($"Embedding width {channels} does not divide into {heads} heads.");
        // Drawn for every variant, so that the draws after them (and a merged layer's start) are the same.
        var query = new Linear(rng, channels, channels, bias);
        var keyValue = new Linear(rng, channels, 2 * channels, bias);
        if (variant.MergesQueryKey)
        {
            var kv = keyValue.Weight.Value;
            QueryKey = MergedQueryKey.FromProjections(query.Weight.Value, MergedQueryKey.Rows(kv, 0, channels), heads);
            Value = new Linear(MergedQueryKey.Rows(kv, channels, channels), bias ? new Tensor(channels) : null);
        }
        else (_query, _keyValue) = (query, keyValue);
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
        if (Variant.MergesQueryKey)                                          // K = the encoder output (B, nh, Ts, C), V (B, nh, Ts, hs)
            return new CrossMemory(tape.RepeatHeads(encoderOutput, Heads), tape.SplitHeads(Value!.Forward(tape, encoderOutput), Heads), sourceLengths);
        var kv = KeyValue.Forward(tape, encoderOutput);                  // (B, Ts, 2C)
        return new CrossMemory(tape.SplitHeads(kv, Heads, part: 0, parts: 2), tape.SplitHeads(kv, Heads, part: 1, parts: 2), sourceLengths);
    }

    // x: (B, Tt, C) -> (B, Tt, C)
    public Variable Forward(Tape tape, Variable x, CrossMemory memory)
    {
        var queries = Variant.ReadsInputAsQueryKeyValue ? x : Variant.MergesQueryKey ? QueryKey!.Forward(tape, x) : Query.Forward(tape, x);
        var q = tape.SplitHeads(queries, Heads);                          // (B, nh, Tt, hs), or (B, nh, Tt, C) when merged
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
        if (_query != null)
        {
            yield return ("q", _query);
            yield return ("kv", _keyValue!);
        }
        else
        {
            yield return ("qk", QueryKey!);
            yield return ("v", Value!);
        }
        yield return ("proj", Proj);
    }
}
