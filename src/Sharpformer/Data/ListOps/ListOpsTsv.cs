using System.Globalization;
using System.Text;
using Sharpformer.Tensors;

namespace Sharpformer.Data.ListOps;

/// <summary>
/// ListOps files in the Long Range Arena layout: UTF-8 TSV with the header <c>Source\tTarget</c>, then one
/// example a line, the source string with parentheses and its value 0–9. Reading checks every line and names the
/// file and line of the first problem.
/// </summary>
internal static class ListOpsTsv
{
    public const string Header = "Source\tTarget";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the examples atomically (temporary file in the same folder, then renamed over the target).</summary>
    public static void Write(string path, IEnumerable<ListOpsExample> examples) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, StrictUtf8, bufferSize: 1 << 16, leaveOpen: true);
        writer.Write(Header);
        writer.Write('\n');
        foreach (var example in examples)
        {
            if (example.Source.Contains('\t') || example.Source.Contains('\n'))
                throw new ArgumentException("A ListOps source string cannot hold a tab or a line break.", nameof(examples));
            writer.Write(example.Source);
            writer.Write('\t');
            writer.Write(example.Target.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    });

    /// <summary>
    /// Reads a file written by <see cref="Write"/> or by the LRA generator (strict UTF-8, lines of at most
    /// <see cref="TextFiles.MaxLineLength"/> characters). Blank lines are skipped; a missing header, a line without
    /// exactly two columns, a target that is not a digit, an unknown token or a source that is not one expression
    /// of the grammar (<see cref="ListOpsGrammar"/>) is an <see cref="InvalidDataException"/> naming the file and line.
    /// </summary>
    public static List<ListOpsExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: ListOps file not found.", path);
        var examples = new List<ListOpsExample>();
        int lines = 0;
        foreach (var (line, number) in TextFiles.ReadLines(path))
        {
            lines = number;
            if (number == 1)
            {
                if (line.TrimEnd() != Header) throw new InvalidDataException($"{path}:1: expected the header 'Source<TAB>Target', found '{Shorten(line)}'.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line)) continue;
            examples.Add(ParseLine(path, number, line));
        }
        if (lines == 0) throw new InvalidDataException($"{path}: the file is empty; expected the header 'Source<TAB>Target'.");
        return examples;
    }

    private static ListOpsExample ParseLine(string path, int number, string line)
    {
        var columns = line.Split('\t');
        if (columns.Length != 2)
            throw new InvalidDataException($"{path}:{number}: expected 'source<TAB>target', found {columns.Length} tab-separated column(s).");
        string source = columns[0].Trim(), target = columns[1].Trim();
        if (source.Length == 0) throw new InvalidDataException($"{path}:{number}: the source is empty.");
        if (target.Length != 1 || target[0] is < '0' or > '9')
            throw new InvalidDataException($"{path}:{number}: the target must be a digit 0–9, found '{Shorten(target)}'.");
        int[] ids;
        try { ids = ListOpsVocabulary.Encode(source); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}:{number}: {e.Message}"); }
        if (ListOpsGrammar.Check(ids) is { } error)
            throw new InvalidDataException($"{path}:{number}: the source is not a ListOps expression: {error}.");
        return new ListOpsExample(source, target[0] - '0');
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
