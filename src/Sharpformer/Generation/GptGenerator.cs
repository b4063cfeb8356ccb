using System.Text;
using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Generation;

/// <summary>
/// Autoregressive generation: feed the context, sample the next token, append, repeat. With the KV cache
/// only the new token goes through the model at each step (O(T) per token); without it the whole
/// context (cropped to block_size) is recomputed (O(T²)). When the cache fills the block, it is rebuilt from
/// the last half block of tokens, so long generations stay O(T) on average.
/// </summary>
internal sealed class GptGenerator(Gpt model, ITokenizer tokenizer)
{
    /// <summary>Generates after <paramref name="prompt"/>; streams text through <paramref name="onText"/>; returns the generated text.</summary>
    public string Generate(string prompt, GenerationOptions options, SamplingOptions sampling, Action<string>? onText = null)
    {
        var text = new StringBuilder();
        foreach (var token in Stream(prompt, options, sampling))
        {
            if (token.Text.Length == 0) continue;
            onText?.Invoke(token.Text);
            text.Append(token.Text);
        }
        return text.ToString();
    }

    /// <summary>
    /// Generates after <paramref name="prompt"/>, one token per step of the enumeration, each with the text it made
    /// final (possibly none, while a stop string or a multi-byte character may be starting); the last one says why
    /// generation ended. Checks its arguments at once.
    /// </summary>
    public IEnumerable<GeneratedToken> Stream(string prompt, GenerationOptions options, SamplingOptions sampling) =>
        Steps(Start(prompt, options, sampling));

    /// <summary>A generation after <paramref name="prompt"/>, ready for its first step (alone or batched); checks its arguments.</summary>
    public DecodingSequence Start(string prompt, GenerationOptions options, SamplingOptions sampling)
    {
        options.Validated();
        return new DecodingSequence(this, model, tokenizer, [.. tokenizer.Encode(prompt)], options, sampling);
    }

    // A batch of one: the steps a sequence takes in any batch, so that it gives the same tokens alone as in company.
    private IEnumerable<GeneratedToken> Steps(DecodingSequence sequence)
    {
        using var decoder = new BatchedDecoder(model, tokenizer);
        DecodingSequence[] alone = [sequence];
        while (!sequence.Finished) yield return decoder.Step(alone)[0];
    }

    /// <summary>Logits for the token after <paramref name="context"/> (a copy: the tape is reset after the call).</summary>
    public float[] NextLogits(Tape tape, List<int> context, Gpt.KvCache? cache, ref int pending)
    {
        int block = model.Config.BlockSize;
        if (cache == null)
        {
            int t = Math.Min(context.Count, block);
            var ids = context.GetRange(context.Count - t, t).ToArray();
            return LastRow(model.Forward(tape, ids, 1, t), t);
        }
        if (cache.Length + pending > block)
        {
            // A prompt longer than the block is cropped to its last block of tokens (as without the cache);
            // a full cache is rebuilt from the most recent half block.
            pending = pending > block ? block : Math.Min(context.Count, Math.Max(block / 2, 1));
            cache.Clear();
        }
        var newIds = context.GetRange(context.Count - pending, pending).ToArray();
        var logits = model.Forward(tape, newIds, 1, pending, cache: cache);
        var row = LastRow(logits, pending);
        pending = 0;
        return row;
    }

    private float[] LastRow(Variable logits, int t)
    {
        int v = model.Config.VocabSize;
        return logits.Value.Span.Slice((t - 1) * v, v).ToArray();
    }
}
