using System.Text;

namespace Sharpformer.Data;

/// <summary>
/// How text inputs are read everywhere (corpora, TSV files, vocabularies, text to encode): strict UTF-8 through
/// <see cref="Utf8TextReader"/>, with stated limits on a line and on a file read whole. Every refusal is an
/// <see cref="InvalidDataException"/> naming the file and what was expected.
/// </summary>
internal static class TextFiles
{
    /// <summary>Longest line a line reader accepts, in UTF-16 characters (1 Mi).</summary>
    public const int MaxLineLength = 1 << 20;

    /// <summary>Largest file read into one string (1 GiB, about what a .NET string holds).</summary>
    public const long MaxTextBytes = 1L << 30;

    /// <summary>The lines of <paramref name="path"/>, numbered from 1; a line over <paramref name="maxLineLength"/> is an error.</summary>
    public static IEnumerable<(string Line, int Number)> ReadLines(string path, int maxLineLength = MaxLineLength)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        return Iterate(path, maxLineLength);
    }

    private static IEnumerable<(string Line, int Number)> Iterate(string path, int maxLineLength)
    {
        using var reader = new Utf8TextReader(path) { MaxLineLength = maxLineLength };
        while (reader.ReadLine() is { } line) yield return (line, reader.LineNumber);
    }

    /// <summary>
    /// Every line of <paramref name="stream"/> (e.g. standard input, or a file opened by the caller) as strict UTF-8;
    /// messages name <paramref name="source"/>. The stream is disposed.
    /// </summary>
    public static List<string> ReadAllLines(Stream stream, string source, int maxLineLength = MaxLineLength)
    {
        using var reader = new Utf8TextReader(stream, source) { MaxLineLength = maxLineLength };
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    /// <summary>All of <paramref name="path"/> as one string; <paramref name="label"/> (e.g. "--data") prefixes messages.</summary>
    public static string ReadAllText(string path, string? label = null)
    {
        string name = label == null ? path : $"{label} {path}";
        if (!File.Exists(path)) throw new FileNotFoundException($"{name}: file not found.", path);
        long length = new FileInfo(path).Length;
        if (length > MaxTextBytes)
            throw new InvalidDataException($"{name}: {length:N0} bytes is over the {MaxTextBytes:N0}-byte limit for a text read into memory whole.");
        using var reader = new Utf8TextReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), name);
        return ReadToEnd(reader, name);
    }

    /// <summary>All of <paramref name="stream"/> (e.g. standard input) as strict UTF-8 text, up to <see cref="MaxTextBytes"/>.</summary>
    public static string ReadAllText(Stream stream, string source)
    {
        using var reader = new Utf8TextReader(stream, source);
        return ReadToEnd(reader, source);
    }

    private static string ReadToEnd(Utf8TextReader reader, string source)
    {
        var text = new StringBuilder();
        var buffer = new char[1 << 16];
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            if (text.Length + (long)n > MaxTextBytes)
                throw new InvalidDataException($"{source}: more than {MaxTextBytes:N0} characters, the limit for a text read into memory whole.");
            text.Append(buffer, 0, n);
        }
        return text.ToString();
    }
}
