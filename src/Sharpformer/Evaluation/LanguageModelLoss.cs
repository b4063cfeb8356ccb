using Sharpformer.Autograd;
using Sharpformer.Models;

namespace Sharpformer.Evaluation;

/// <summary>The mean next-token loss of a whole split and its perplexity e^loss.</summary>
internal sealed record LanguageModelLoss(double Loss, long Tokens)
{
    public double Perplexity => Math.Exp(Loss);

    /// <summary>
    /// Scores every target of <paramref name="tokens"/> exactly once: the split is cut into non-overlapping
    /// blocks of block_size (the last one shorter), so each target has the in-block context that training
    /// sees. Blocks run <paramref name="batch"/> at a time.
    /// </summary>
    public static LanguageModelLoss Of(Gpt model, int[] tokens, int batch = 16)
    {
        int block = model.Config.BlockSize;
        if (tokens.Length < 2) throw new ArgumentException($"A split of {tokens.Length} tokens has no target to score.");
        int targets = tokens.Length - 1;
        int fullBlocks = targets / block, tail = targets % block;
        double sum = 0;
        using var tape = new Tape(recordGradients: false);
        for (int first = 0; first < fullBlocks; first += batch)
        {
            int b = Math.Min(batch, fullBlocks - first);
            sum += BlockLoss(tape, model, tokens, first * block, b, block) * b * block;
        }
        if (tail > 0) sum += BlockLoss(tape, model, tokens, fullBlocks * block, 1, tail) * tail;
        return new LanguageModelLoss(sum / targets, targets);
    }

    private static double BlockLoss(Tape tape, Gpt model, int[] tokens, int start, int batch, int time)
    {
        var inputs = tokens.AsSpan(start, batch * time);
        var targets = tokens.AsSpan(start + 1, batch * time);
        double loss = model.Loss(tape, inputs, targets, batch, time).Value.Span[0];
        tape.Reset();
        return loss;
    }
}
