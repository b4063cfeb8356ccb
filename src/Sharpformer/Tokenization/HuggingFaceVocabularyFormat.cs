namespace Sharpformer.Tokenization;

/// <summary>
/// Hugging Face's slow-tokenizer files for GPT-2: vocab.json (token in the byte alphabet -> id) and merges.txt
/// ("#version" line, then one merge a line), the same contents as OpenAI's encoder.json and vocab.bpe
/// (<see cref="Gpt2VocabularyFormat"/>), which read and write them.
/// </summary>
internal static class HuggingFaceVocabularyFormat
{
    public const string VocabFile = "vocab.json";
    public const string MergesFile = "merges.txt";
}
