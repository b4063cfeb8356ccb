using Sharpformer.Tokenization;

namespace Sharpformer.Models;

/// <summary>
/// A tokenizer plus the three ids a translator needs beyond it, appended after the tokenizer's own:
/// padding, begin of sentence (the decoder's first input) and end of sentence (what it predicts last).
/// </summary>
internal sealed class TranslationVocabulary(ITokenizer tokenizer)
{
    public ITokenizer Tokenizer { get; } = tokenizer;
    public int Pad => Tokenizer.VocabSize;
    public int Bos => Tokenizer.VocabSize + 1;
    public int Eos => Tokenizer.VocabSize + 2;
    public int Size => Tokenizer.VocabSize + 3;

    public int[] Encode(string text) => Tokenizer.Encode(text);

    /// <summary>Decodes ids up to the first end-of-sentence, skipping the special ids.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var kept = new List<int>(ids.Length);
        foreach (int id in ids)
        {
            if (id == Eos) break;
            if (id < Tokenizer.VocabSize) kept.Add(id);
        }
        return Tokenizer.Decode(kept.ToArray());
    }
}
