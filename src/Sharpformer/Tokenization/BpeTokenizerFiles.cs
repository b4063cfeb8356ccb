namespace Sharpformer.Tokenization;

/// <summary>Recognises which BPE tokenizer format a path holds (tokenizer JSON, GPT-2 or Hugging Face vocabulary files, tiktoken).</summary>
internal static class BpeTokenizerFiles
{
    public static BpeTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            return File.Exists(Path.Combine(path, Gpt2VocabularyFormat.EncoderFile)) || !File.Exists(Path.Combine(path, HuggingFaceVocabularyFormat.VocabFile))
                ? Gpt2VocabularyFormat.Load(path)
                : Gpt2VocabularyFormat.Load(path, HuggingFaceVocabularyFormat.VocabFile, HuggingFaceVocabularyFormat.MergesFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"Tokenizer file or folder not found: {path}", path);

        var name = Path.GetFileName(path);
        if (name is Gpt2VocabularyFormat.EncoderFile or Gpt2VocabularyFormat.MergesFile)
            return Gpt2VocabularyFormat.Load(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (name is HuggingFaceVocabularyFormat.VocabFile or HuggingFaceVocabularyFormat.MergesFile)
            return Gpt2VocabularyFormat.Load(Path.GetDirectoryName(Path.GetFullPath(path))!, HuggingFaceVocabularyFormat.VocabFile, HuggingFaceVocabularyFormat.MergesFile);

        // Only the start is looked at: a JSON file may be one long line, a tiktoken line is bounded.
        string firstLine;
        using (var reader = new Data.Utf8TextReader(path) { MaxLineLength = TiktokenFormat.MaxLineLength })
        {
            while (reader.Peek() is ' ' or '\t') reader.Read();
            if (reader.Peek() == '{') return TokenizerJsonFormat.Load(path);
            firstLine = reader.ReadLine() ?? throw TokenizerJsonFormat.Bad(path, "the file is empty");
        }
        if (TiktokenFormat.LooksLikeTiktoken(firstLine)) return TiktokenFormat.Load(path);
        throw TokenizerJsonFormat.Bad(path, "line 1 is neither the start of a JSON tokenizer nor a tiktoken \"BASE64 RANK\" line");
    }
}
