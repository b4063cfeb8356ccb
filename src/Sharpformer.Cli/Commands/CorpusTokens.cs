using Sharpformer.Tokenization;

namespace Sharpformer.Cli.Commands;

/// <summary>Reads a text corpus and the tokenizer that goes with it.</summary>
internal static class CorpusTokens
{
    public static string ReadText(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--data {path}: file not found.", path);
        var text = Sharpformer.Data.TextFiles.ReadAllText(path, "--data");
        if (text.Length == 0) throw new InvalidDataException($"--data {path}: the file is empty.");
        return text;
    }

    /// <summary>`char` builds a character vocabulary from the text; anything else is a tokenizer file or folder.</summary>
    public static ITokenizer CreateTokenizer(string spec, string text) =>
        spec == "char" ? CharTokenizer.FromText(text) : TokenizerFiles.Load(spec);
}
