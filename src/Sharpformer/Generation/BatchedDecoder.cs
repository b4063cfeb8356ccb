using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Generation;

/// <summary>
/// Decodes several generations together, one token for each per <see cref="Step"/>: the sequences whose next step is a
/// single token go through the model as one batch (<see cref="Gpt.ForwardRows"/>: the projections and the MLP over all
/// rows at once, attention per sequence over its own cache, so the sequences may have any lengths); a sequence with a
/// prompt to read, or a full cache to rebuild, runs alone. Sequences may join or leave between steps (continuous
/// batching). The batch keeps rows apart (<see cref="Tape.KeepsRowsApart"/>) and each sequence has its own sampler, so a
/// generation gives the same tokens in any company as alone (<see cref="GptGenerator.Stream"/>). Not thread-safe: one
/// caller steps it.
/// </summary>
internal sealed class BatchedDecoder(Gpt model, ITokenizer tokenizer) : IDisposable
{
    private readonly GptGenerator _generator = new(model, tokenizer);
    private readonly Tape _alone = new(recordGradients: false);
    private readonly Tape _rows = new(recordGradients: false) { KeepsRowsApart = true };

    /// <summary>A generation after <paramref name="prompt"/>; checks the prompt and settings now (safe from any thread).</summary>
    /// <exception cref="ArgumentException">The prompt encodes to no token, or a setting is out of range.</exception>
    public DecodingSequence Start(string prompt, GenerationSettings settings) =>
        _generator.Start(prompt, settings.Generation(), settings.Sampling());

    /// <summary>Draws one token for each of <paramref name="sequences"/> (none of them finished); token i belongs to sequence i.</summary>
    public GeneratedToken[] Step(IReadOnlyList<DecodingSequence> sequences)
    {
        var tokens = new GeneratedToken[sequences.Count];
        var together = new List<int>(sequences.Count);
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].NextIsOneToken) { together.Add(i); continue; }
            tokens[i] = sequences[i].Accept(sequences[i].NextLogitsAlone(_alone));
            _alone.Reset();
        }
        if (together.Count == 0) return tokens;
        var ids = new int[together.Count];
        var caches = new Gpt.KvCache[together.Count];
        for (int r = 0; r < together.Count; r++)
        {
            ids[r] = sequences[together[r]].LastToken;
            caches[r] = sequences[together[r]].Cache!;
        }
        var logits = model.ForwardRows(_rows, ids, caches).Value.Span;   // (B, 1, V)
        int v = model.Config.VocabSize;
        for (int r = 0; r < together.Count; r++)
        {
            var sequence = sequences[together[r]];
            sequence.Cached();
            tokens[together[r]] = sequence.Accept(logits.Slice(r * v, v));
        }
        _rows.Reset();
        return tokens;
    }

    public void Dispose()
    {
        _alone.Dispose();
        _rows.Dispose();
    }
}
