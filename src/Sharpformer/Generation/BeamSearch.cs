using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Nn;

namespace Sharpformer.Generation;

/// <summary>
/// Batched beam search for the translator. All B·K hypotheses advance together, one token per step, through
/// the decoder's KV cache; the encoder runs once and its keys and values are shared by a sentence's beams.
/// A sentence stops when it has K finished hypotheses and no live one can still beat the worst of them.
/// </summary>
internal sealed class BeamSearch(Translator model, TranslationVocabulary source, TranslationVocabulary target)
{
    /// <summary>Translates every source (token ids) and returns the best target ids of each, without BOS/EOS.</summary>
    public int[][] Translate(IReadOnlyList<int[]> sources, BeamSearchOptions options)
    {
        options.Validated();
        int k = options.Beam, batch = sources.Count, v = target.Size;
        if (batch == 0) return [];
        int srcTime = Math.Max(1, sources.Max(s => s.Length));
        var srcIds = new int[batch * srcTime];
        Array.Fill(srcIds, source.Pad);
        var srcLengths = new int[batch];
        for (int b = 0; b < batch; b++) { sources[b].CopyTo(srcIds, b * srcTime); srcLengths[b] = sources[b].Length; }
        var maxLength = sources.Select(s => Math.Min(model.Config.MaxLength - 1, (int)(options.MaxLengthRatio * s.Length) + options.MaxLengthExtra)).ToArray();

        // The encoder output lives on its own tape for the whole search; each decoding step resets the other.
        using var encoderTape = new Tape(recordGradients: false);
        using var stepTape = new Tape(recordGradients: false);
        var memory = Expand(encoderTape, model.Encode(encoderTape, srcIds, batch, srcTime, srcLengths), k);
        var cache = model.NewDecoderCache(batch * k);
        var beams = new Hypotheses(batch, k);
        var finished = Enumerable.Range(0, batch).Select(_ => new List<(double Score, int[] Tokens)>()).ToArray();
        var done = new bool[batch];
        var next = new int[batch * k];
        Array.Fill(next, target.Bos);
        var candidates = new List<(double Score, int Beam, int Token)>(2 * k);
        var logProbs = new float[v];

        for (int step = 0; !done.All(d => d); step++)
        {
            var logits = model.Decode(stepTape, next, batch * k, 1, memory, cache: cache).Value.Span;   // (B·K, 1, V)
            var parents = new int[batch * k];
            for (int b = 0; b < batch; b++)
            {
                if (done[b])
                {
                    for (int row = b * k; row < (b + 1) * k; row++)
                        (parents[row], beams.NextTokens[row], beams.NextScore[row]) = (row, beams.Tokens[row], beams.Score[row]);
                    continue;
                }
                candidates.Clear();
                for (int j = 0; j < k; j++)
                {
                    int row = b * k + j;
                    if (double.IsNegativeInfinity(beams.Score[row])) continue; // only beam 0 lives at step 0
                    LogSoftmax(logits.Slice(row * v, v), logProbs);
                    TopInto(candidates, logProbs, beams.Score[row], j, 2 * k);
                }
                candidates.Sort((x, y) => y.Score.CompareTo(x.Score));
                int filled = 0;
                bool atLimit = step + 1 >= maxLength[b];
                foreach (var (score, beam, token) in candidates)
                {
                    var history = beams.Tokens[b * k + beam];
                    if (token == target.Eos || atLimit)
                    {
                        var tokens = token == target.Eos ? history : [.. history, token];
                        finished[b].Add((score / options.Penalty(tokens.Length + 1), tokens));
                        continue;
                    }
                    if (filled == k) continue;
                    int row = b * k + filled++;
                    parents[row] = b * k + beam;
                    beams.NextTokens[row] = [.. history, token];
                    beams.NextScore[row] = score;
                    next[row] = token;
                }
                for (int j = filled; j < k; j++) { parents[b * k + j] = b * k; beams.NextScore[b * k + j] = double.NegativeInfinity; beams.NextTokens[b * k + j] = []; next[b * k + j] = target.Pad; }
                done[b] = atLimit || filled == 0 || IsDone(finished[b], beams.NextScore.AsSpan(b * k, k), step + 2, k, options);
            }
            beams.Advance();
            foreach (var layer in cache) layer.Reorder(parents);
            stepTape.Reset();
        }
        foreach (var layer in cache) layer.Release();
        return finished.Select((f, b) => f.Count == 0 ? beams.Tokens[b * k] : f.MaxBy(h => h.Score).Tokens).ToArray();
    }

    /// <summary>No live beam can beat the worst of K finished ones once even its current score, normalised, is lower.</summary>
    private static bool IsDone(List<(double Score, int[] Tokens)> finished, ReadOnlySpan<double> live, int length, int k, BeamSearchOptions options)
    {
        if (finished.Count < k) return false;
        double worstKept = finished.Select(f => f.Score).OrderDescending().ElementAt(k - 1);
        double bestLive = double.NegativeInfinity;
        foreach (double s in live) bestLive = Math.Max(bestLive, s);
        return bestLive / options.Penalty(length) < worstKept;
    }

    private static void LogSoftmax(ReadOnlySpan<float> logits, float[] logProbs)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float x in logits) sum += Math.Exp(x - max);
        float lse = max + (float)Math.Log(sum);
        System.Numerics.Tensors.TensorPrimitives.Subtract(logits, lse, logProbs);
    }

    /// <summary>Adds the <paramref name="count"/> best continuations of one beam to the candidates.</summary>
    private static void TopInto(List<(double, int, int)> candidates, float[] logProbs, double beamScore, int beam, int count)
    {
        var best = new PriorityQueue<int, float>(count + 1);
        for (int t = 0; t < logProbs.Length; t++)
        {
            best.Enqueue(t, logProbs[t]);
            if (best.Count > count) best.Dequeue();
        }
        while (best.TryDequeue(out int t, out float lp)) candidates.Add((beamScore + lp, beam, t));
    }

    /// <summary>Repeats each sentence's cross-attention keys and values for its K beams: (B, …) -> (B·K, …).</summary>
    private static CrossMemory[] Expand(Tape tape, CrossMemory[] memory, int k)
    {
        if (k == 1) return memory;
        return memory.Select(m => new CrossMemory(Repeat(tape, m.Keys, k), Repeat(tape, m.Values, k),
            m.SourceLengths.SelectMany(len => Enumerable.Repeat(len, k)).ToArray())).ToArray();
    }

    private static Variable Repeat(Tape tape, Variable x, int k)
    {
        int batch = x.Dim(0), row = x.Value.Size / batch;
        var t = tape.Borrow([batch * k, .. x.Shape[1..]]);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < k; j++) x.Value.Span.Slice(b * row, row).CopyTo(t.Span.Slice((b * k + j) * row, row));
        return Variable.Constant(t, x.Name);
    }

    /// <summary>Tokens and log-probabilities of the live hypotheses, row b·K + j, with the next step's being built.</summary>
    private sealed class Hypotheses
    {
        public int[][] Tokens, NextTokens;
        public double[] Score, NextScore;

        public Hypotheses(int batch, int k)
        {
            Tokens = Enumerable.Repeat(Array.Empty<int>(), batch * k).ToArray();
            NextTokens = new int[batch * k][];
            Score = new double[batch * k];
            NextScore = new double[batch * k];
            for (int r = 0; r < batch * k; r++) if (r % k != 0) Score[r] = double.NegativeInfinity;
        }

        public void Advance()
        {
            (Tokens, NextTokens) = (NextTokens, Tokens);
            (Score, NextScore) = (NextScore, Score);
        }
    }
}
