using Sharpformer.Training;

namespace Sharpformer;

/// <summary>
/// The tokenizer of a model folder on its own, for folders without weights Sharpformer runs (an ONNX export, a
/// tokenizer trained by <c>sharpformer tokenizer train</c>): text to token ids and back, exactly as the model that
/// was trained with it reads and writes them.
/// </summary>
public sealed class Tokenizer
{
    private readonly Tokenization.ITokenizer _tokenizer;

    internal Tokenizer(Tokenization.ITokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary>
    /// Loads the tokenizer in <paramref name="directory"/>: Hugging Face's <c>tokenizer.json</c> (byte-level BPE),
    /// <c>char_tokenizer.json</c>, or GPT-2's <c>vocab.json</c> with <c>merges.txt</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">None of those files is in the folder.</exception>
    /// <exception cref="InvalidDataException">The file is not what its format says.</exception>
    public static Tokenizer Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new Tokenizer(Checkpoint.LoadTokenizer(directory));
    }

    /// <summary>A short name, e.g. "gpt2", "bpe-4096" or "char-65".</summary>
    public string Name => _tokenizer.Name;

    /// <summary>The number of token ids: every id is in [0, VocabularySize).</summary>
    public int VocabularySize => _tokenizer.VocabSize;

    /// <summary>The token ids of <paramref name="text"/>.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.Encode(text);
    }

    /// <summary>The text of <paramref name="ids"/>; a partial character (a byte-level token cut off) becomes U+FFFD.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, <see cref="VocabularySize"/>).</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        foreach (int id in ids)
            if ((uint)id >= (uint)_tokenizer.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"ids: {id} is not a token id (expected 0 to {_tokenizer.VocabSize - 1}).");
        return _tokenizer.Decode(ids);
    }
}
