using System.Text;
using Sharpformer.Tensors;

namespace Sharpformer.Data;

/// <summary>
/// Reads and writes parallel corpora: a UTF-8 TSV file with one <c>source&lt;TAB&gt;target</c> pair a line, or two
/// line-aligned files. Sentences are trimmed; blank TSV lines are skipped; a line without a tab, a side that is
/// empty, invalid UTF-8 (with its byte offset), a UTF-16 byte-order mark, a line over
/// <see cref="TextFiles.MaxLineLength"/> characters or aligned files of different lengths throw an
/// <see cref="InvalidDataException"/> naming the file and line.
/// </summary>
internal static class ParallelCorpus
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a TSV corpus. Columns after the second (such as the attribution column of the manythings.org
    /// Tatoeba exports) are ignored unless <paramref name="allowExtraColumns"/> is false, when they are an error.
    /// </summary>
    public static List<SentencePair> ReadTsv(string path, bool allowExtraColumns = true)
    {
        var pairs = new List<SentencePair>();
        foreach (var (line, number) in ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var columns = line.Split('\t');
            if (columns.Length < 2)
                throw new InvalidDataException($"{path}:{number}: expected 'source<TAB>target' but the line has no tab.");
            if (columns.Length > 2 && !allowExtraColumns)
                throw new InvalidDataException($"{path}:{number}: expected 2 tab-separated columns, found {columns.Length}.");
            string source = columns[0].Trim(), target = columns[1].Trim();
            if (source.Length == 0) throw new InvalidDataException($"{path}:{number}: the source side is empty.");
            if (target.Length == 0) throw new InvalidDataException($"{path}:{number}: the target side is empty.");
            pairs.Add(new SentencePair(source, target));
        }
        return pairs;
    }

    /// <summary>Reads two line-aligned files (line i of one translates line i of the other).</summary>
    public static List<SentencePair> ReadAligned(string sourcePath, string targetPath)
    {
        var sources = ReadLines(sourcePath).Select(l => l.Line).ToList();
        var targets = ReadLines(targetPath).Select(l => l.Line).ToList();
        if (sources.Count != targets.Count)
            throw new InvalidDataException($"{sourcePath} has {sources.Count} lines but {targetPath} has {targets.Count}; aligned files need the same number.");
        var pairs = new List<SentencePair>(sources.Count);
        for (int i = 0; i < sources.Count; i++)
        {
            string source = sources[i].Trim(), target = targets[i].Trim();
            if (source.Length == 0) throw new InvalidDataException($"{sourcePath}:{i + 1}: the line is empty.");
            if (target.Length == 0) throw new InvalidDataException($"{targetPath}:{i + 1}: the line is empty.");
            pairs.Add(new SentencePair(source, target));
        }
        return pairs;
    }

    /// <summary>Reads a corpus given as one TSV path, or as two aligned paths.</summary>
    public static List<SentencePair> Read(string path, string? alignedTargetPath = null) =>
        alignedTargetPath is null ? ReadTsv(path) : ReadAligned(path, alignedTargetPath);

    /// <summary>Writes a TSV corpus atomically (temporary file in the same folder, then renamed over the target).</summary>
    public static void WriteTsv(string path, IEnumerable<SentencePair> pairs) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, StrictUtf8, bufferSize: 1 << 16, leaveOpen: true);
        int index = 0;
        foreach (var pair in pairs)
        {
            index++;
            Check(pair.Source, "source", index);
            Check(pair.Target, "target", index);
            writer.Write(pair.Source);
            writer.Write('\t');
            writer.Write(pair.Target);
            writer.Write('\n');
        }
    });

    private static void Check(string text, string side, int index)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"Pair {index}: the {side} side is empty.", nameof(text));
        if (text.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
            throw new ArgumentException($"Pair {index}: the {side} side contains a tab or line break, which TSV cannot hold.", nameof(text));
    }

    /// <summary>
    /// The lines of a strict UTF-8 file (a UTF-8 byte-order mark is skipped; a UTF-16 one, invalid UTF-8 or a line
    /// over <see cref="TextFiles.MaxLineLength"/> characters is an error naming the file), numbered from 1.
    /// </summary>
    private static IEnumerable<(string Line, int Number)> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Corpus file not found: {path}", path);
        return TextFiles.ReadLines(path);
    }
}
