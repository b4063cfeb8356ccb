using System.Runtime.CompilerServices;
using Sharpformer.Autograd;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer;

/// <summary>
/// A trained GPT with its tokenizer: loads from a model folder (what <c>sharpformer train</c> writes), continues
/// prompts, tokenizes text and embeds it. Calls from several threads are safe: they take turns at the model one
/// token at a time, so concurrent streams advance together.
/// </summary>
public sealed partial class LanguageModel
{
    private readonly Gpt _model;
    private readonly ITokenizer _tokenizer;
    private readonly GptGenerator _generator;
    private readonly SemaphoreSlim _turn = new(1, 1);

    internal LanguageModel(Gpt model, ITokenizer tokenizer, string name)
    {
        _model = model;
        _tokenizer = tokenizer;
        _generator = new GptGenerator(model, tokenizer);
        Tokenizer = new Tokenizer(tokenizer);
        Name = name;
    }

    /// <summary>
    /// Loads the model in <paramref name="directory"/>: a checkpoint folder (config.json, model.safetensors and the
    /// tokenizer), or a training output folder, whose best/ (else last/) checkpoint is taken.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No checkpoint in the folder.</exception>
    /// <exception cref="InvalidDataException">A file of the checkpoint is not what its format says.</exception>
    public static LanguageModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var checkpoint = ModelDirectory.Resolve(directory, "model folder");
        var (model, tokenizer) = GptCheckpoint.Load(checkpoint);
        return new LanguageModel(model, tokenizer, FolderName(directory));
    }

    /// <summary>The model's name: the folder it was loaded from, or "sharpformer-gpt" for a model trained in memory.</summary>
    public string Name { get; }

    /// <summary>Tokens the model sees at once (block size); longer prompts keep their last tokens.</summary>
    public int ContextLength => _model.Config.BlockSize;

    /// <summary>Distinct token ids of the tokenizer.</summary>
    public int VocabularySize => _tokenizer.VocabSize;

    /// <summary>Length of the vectors <see cref="Embed"/> returns (the model's width).</summary>
    public int EmbeddingSize => _model.Config.Embedding;

    /// <summary>Trainable numbers in the model.</summary>
    public long ParameterCount => _model.ParameterCount();

    /// <summary>The model's tokenizer: text to token ids and back.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The token ids of <paramref name="text"/>, each in [0, <see cref="VocabularySize"/>).</summary>
    public int[] Tokenize(string text) => Tokenizer.Encode(text);

    /// <summary>The text of <paramref name="ids"/>; a partial multi-byte character becomes U+FFFD.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, <see cref="VocabularySize"/>).</exception>
    public string Detokenize(ReadOnlySpan<int> ids) => Tokenizer.Decode(ids);

    /// <summary>
    /// Continues <paramref name="prompt"/>, yielding text as soon as it is final (a piece that could begin a stop
    /// sequence or a multi-byte character waits for the next token). Stops at <see cref="GenerationSettings.MaxNewTokens"/>,
    /// at a stop sequence, or when <paramref name="cancellationToken"/> is cancelled (checked before every token).
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty, or a setting is out of range.</exception>
    public IAsyncEnumerable<string> GenerateAsync(string prompt, GenerationSettings? settings = null, CancellationToken cancellationToken = default)
    {
        var steps = Steps(prompt, settings);   // checks the arguments now, not at the first MoveNextAsync
        return Texts(steps, cancellationToken);
    }

    /// <summary>
    /// As <see cref="GenerateAsync"/>, one item per generated token: its id, the text it made final, and on the
    /// last one why generation ended (for counting tokens and reporting a finish reason).
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty, or a setting is out of range.</exception>
    public IAsyncEnumerable<GeneratedToken> GenerateTokensAsync(string prompt, GenerationSettings? settings = null,
        CancellationToken cancellationToken = default)
    {
        var steps = Steps(prompt, settings);   // checks the arguments now, not at the first MoveNextAsync
        return Stream(steps, cancellationToken);
    }

    /// <summary>Continues <paramref name="prompt"/> and returns the generated text (see <see cref="GenerateAsync"/>).</summary>
    public string Generate(string prompt, GenerationSettings? settings = null)
    {
        using var steps = Steps(prompt, settings).GetEnumerator();
        var text = new System.Text.StringBuilder();
        while (TakeTurn(steps, CancellationToken.None)) text.Append(steps.Current.Text);
        return text.ToString();
    }

    /// <summary>
    /// A vector for <paramref name="text"/>: the mean over its tokens of the model's last hidden states (after the
    /// final LayerNorm), <see cref="EmbeddingSize"/> long. Text longer than the context keeps its last tokens.
    /// </summary>
    public float[] Embed(string text)
    {
        var ids = Tokenize(text);
        if (ids.Length == 0) throw new ArgumentException("text: must contain at least one token.", nameof(text));
        if (ids.Length > ContextLength) ids = ids[^ContextLength..];
        int t = ids.Length, c = EmbeddingSize;
        var mean = new float[c];
        _turn.Wait();
        try
        {
            using var tape = new Tape(recordGradients: false);
            var hidden = _model.HiddenStates(tape, ids, 1, t).Value.Span;   // (1, T, C)
            for (int i = 0; i < t; i++)
                System.Numerics.Tensors.TensorPrimitives.Add(mean, hidden.Slice(i * c, c), mean);
        }
        finally { _turn.Release(); }
        System.Numerics.Tensors.TensorPrimitives.Divide(mean, t, mean);
        return mean;
    }

    /// <summary>Writes the model and its tokenizer to <paramref name="directory"/> as a checkpoint folder that <see cref="Load"/> reads.</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        GptCheckpoint.Save(directory, _model, _tokenizer);
    }

    /// <summary>
    /// A decoder of several generations at once (continuous batching, for a server). Each of its steps must run while
    /// holding <see cref="Turn"/>, so that it takes turns with the other calls on this model.
    /// </summary>
    internal BatchedDecoder NewBatchedDecoder() => new(_model, _tokenizer);

    /// <summary>Held by whatever runs the model, one at a time.</summary>
    internal SemaphoreSlim Turn => _turn;

    private IEnumerable<GeneratedToken> Steps(string prompt, GenerationSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        settings ??= new GenerationSettings();
        return _generator.Stream(prompt, settings.Generation(), settings.Sampling());
    }

    private async IAsyncEnumerable<GeneratedToken> Stream(IEnumerable<GeneratedToken> steps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var step = steps.GetEnumerator();
        while (true)
        {
            // Waiting for the model holds no thread (many streams wait at once). A caller with a context of its own
            // (a UI thread) has the token computed on the thread pool, so that context stays free; elsewhere (a
            // server's request, a console) it is computed where the wait ended, without another hop.
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            bool more;
            try
            {
                more = SynchronizationContext.Current is null ? step.MoveNext()
                    : await Task.Run(step.MoveNext, cancellationToken).ConfigureAwait(false);
            }
            finally { _turn.Release(); }
            if (!more) yield break;
            yield return step.Current;
        }
    }

    private async IAsyncEnumerable<string> Texts(IEnumerable<GeneratedToken> steps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var token in Stream(steps, cancellationToken).ConfigureAwait(false))
            if (token.Text.Length > 0) yield return token.Text;
    }

    /// <summary>One token: waits for the model, then advances the generation.</summary>
    private bool TakeTurn(IEnumerator<GeneratedToken> step, CancellationToken cancellationToken)
    {
        _turn.Wait(cancellationToken);
        try { return step.MoveNext(); }
        finally { _turn.Release(); }
    }

    private static string FolderName(string directory) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
}
