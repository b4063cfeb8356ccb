namespace Sharpformer.Tokenization;

/// <summary>
/// What a model needs from a tokenizer: text to ids and back. Byte-level BPE implements it; a
/// character-level tokenizer can too.
/// </summary>
internal interface ITokenizer
{
    /// <summary>A short name for logs and file headers, e.g. "gpt2" or "bpe-4096".</summary>
    string Name { get; }

    /// <summary>Number of ids: every id is in [0, VocabSize).</summary>
    int VocabSize { get; }

    /// <summary>Splits <paramref name="text"/> into token ids.</summary>
    int[] Encode(string text);

    /// <summary>Turns ids back into text; a partial character becomes U+FFFD instead of throwing.</summary>
    string Decode(ReadOnlySpan<int> ids);
}
