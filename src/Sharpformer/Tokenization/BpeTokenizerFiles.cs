namespace Sharpformer.Tokenization;

/// <summary>Recognises which of the three BPE tokenizer formats a path holds.</summary>
internal static class BpeTokenizerFiles
{
    public static BpeTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return Gpt2VocabularyFormat.Load(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Tokenizer file or folder not found: {path}", path);

        var name = Path.GetFileName(path);
        if (name is Gpt2VocabularyFormat.EncoderFile or Gpt2VocabularyFormat.MergesFile)
            return Gpt2VocabularyFormat.Load(Path.GetDirectoryName(Path.GetFullPath(path))!);

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
