using Sharpformer.Autograd;
using Sharpformer.Models;
using Sharpformer.Tokenization;

namespace Sharpformer.Generation;

/// <summary>
/// One generation in progress: its tokens so far, its KV cache (one sequence), its sampler (its own seed and settings),
/// its stop strings and its count of new tokens. A step gets the next token's logits either alone
/// (<see cref="NextLogitsAlone"/>: the prompt, or a full cache being rebuilt) or, when only the last token is new
/// (<see cref="NextIsOneToken"/>), in a batch with other sequences (<see cref="BatchedDecoder"/>); then
/// <see cref="Accept"/> draws the token.
/// </summary>
internal sealed class DecodingSequence
{
    private readonly GptGenerator _generator;
    private readonly List<int> _context;
    private readonly GenerationOptions _options;
    private readonly Sampler _sampler;
    private readonly StopStringStream _stream;
    private readonly List<string> _pieces = [];
    private readonly int _blockSize;
    private int _pending;      // tokens at the end of the context not yet in the cache
    private int _generated;

    public DecodingSequence(GptGenerator generator, Gpt model, ITokenizer tokenizer, List<int> context, GenerationOptions options, SamplingOptions sampling)
    {
        if (context.Count == 0) throw new ArgumentException("--prompt must encode to at least one token.");
        _generator = generator;
        _context = context;
        _options = options.Validated();
        _sampler = new Sampler(sampling);
        _stream = new StopStringStream(tokenizer, options.StopStrings ?? [], _pieces.Add);
        _blockSize = model.Config.BlockSize;
        Cache = options.UseKvCache ? model.NewCache(1) : null;
        _pending = context.Count;
        Finished = options.MaxNewTokens == 0;
    }

    /// <summary>Keys and values of the tokens seen so far (null when generating without a cache).</summary>
    public Gpt.KvCache? Cache { get; }

    /// <summary>True once the last token (a stop string or the token limit) has been drawn.</summary>
    public bool Finished { get; private set; }

    /// <summary>True when the next step feeds a single token at the end of a cache that has room for it.</summary>
    public bool NextIsOneToken => Cache != null && _pending == 1 && Cache.Length + 1 <= _blockSize;

    /// <summary>The newest token (the one a batched step feeds).</summary>
    public int LastToken => _context[^1];

    /// <summary>Logits of the next token computed for this sequence alone (a copy: the tape may be reset).</summary>
    public float[] NextLogitsAlone(Tape tape) => _generator.NextLogits(tape, _context, Cache, ref _pending);

    /// <summary>Says that a batched step has put <see cref="LastToken"/> into the cache.</summary>
    public void Cached() => _pending = 0;

    /// <summary>Draws the next token from <paramref name="logits"/> (V), with the text it made final and, on the last, why generation ended.</summary>
    public GeneratedToken Accept(ReadOnlySpan<float> logits)
    {
        if (Finished) throw new InvalidOperationException("the generation has ended.");
        int next = _sampler.Next(logits);
        _context.Add(next);
        _pending++;
        _generated++;
        FinishReason? end = _stream.Add(next) ? FinishReason.StopSequence : _generated == _options.MaxNewTokens ? FinishReason.MaxTokens : null;
        if (end == FinishReason.MaxTokens) _stream.Finish();
        var token = new GeneratedToken(next, string.Concat(_pieces), end);
        _pieces.Clear();
        Finished = end != null;
        return token;
    }
}
