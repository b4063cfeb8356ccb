using System.Text;
using Sharpformer.Data;
using Sharpformer.Data.ListOps;

namespace Sharpformer.Tests.Data;

/// <summary>Text inputs are strict UTF-8 with bounded lines; every refusal names the file and what was expected.</summary>
public sealed class TextFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-text-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void ReadsAllLinesOfAStreamAndNamesItsSourceOnInvalidUtf8()
    {
        Assert.Equal(["один", "", "two"], TextFiles.ReadAllLines(new MemoryStream(Utf8("один\n\ntwo\n")), "standard input"));
        Assert.Empty(TextFiles.ReadAllLines(new MemoryStream(), "standard input"));
        var ex = Assert.Throws<InvalidDataException>(() => TextFiles.ReadAllLines(new MemoryStream([.. Utf8("ok\ncaf"), 0xE9, (byte)'\n']), "standard input"));
        Assert.Contains("standard input", ex.Message);
        Assert.Contains("invalid UTF-8 at byte 6", ex.Message);
    }

    [Fact]
    public void ReadsLinesWithEveryTerminatorAndSkipsAUtf8ByteOrderMark()
    {
        var path = WriteBytes("a.txt", [0xEF, 0xBB, 0xBF, .. Utf8("один\r\ntwo\rthree\n\nпять")]);
        Assert.Equal(["один", "two", "three", "", "пять"], TextFiles.ReadLines(path).Select(l => l.Line));
        Assert.Equal([1, 2, 3, 4, 5], TextFiles.ReadLines(path).Select(l => l.Number));
        Assert.Equal("один\r\ntwo\rthree\n\nпять", TextFiles.ReadAllText(path));
    }

    [Fact]
    public void CharactersSplitAcrossReadBuffersDecode()
    {
        // Multi-byte characters and a CR LF straddle every 64 KiB boundary of the reader.
        var text = new StringBuilder();
        var random = new Random(3);
        string[] pieces = ["a", "é", "Ж", "€", "😀", "\r\n", " ", "\n"];
        while (text.Length < 300_000) text.Append(pieces[random.Next(pieces.Length)]);
        text.Append("end");
        var path = WriteBytes("mixed.txt", Utf8(text.ToString()));
        Assert.Equal(text.ToString(), TextFiles.ReadAllText(path));
        Assert.Equal(text.ToString().ReplaceLineEndings("\n").Split('\n'), TextFiles.ReadLines(path).Select(l => l.Line));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'a', 0 }, "UTF-16 LE")]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'a' }, "UTF-16 BE")]
    [InlineData(new byte[] { 0xFF, 0xFE, 0, 0, (byte)'a', 0, 0, 0 }, "UTF-32 LE")]
    [InlineData(new byte[] { 0xFF, 0xFE }, "UTF-16 LE")]
    public void AUtf16ByteOrderMarkIsAnError(byte[] bytes, string encoding)
    {
        var path = WriteBytes("wide.txt", bytes);
        var e = Assert.Throws<InvalidDataException>(() => TextFiles.ReadLines(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains(encoding + " byte-order mark", e.Message);
        Assert.Throws<InvalidDataException>(() => TextFiles.ReadAllText(path));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)'\n', (byte)'b', 0xE9, (byte)'c' }, 3, 2)]              // Latin-1 é
    [InlineData(new byte[] { (byte)'x', 0xC0, 0x80 }, 1, 1)]                                           // overlong NUL
    [InlineData(new byte[] { (byte)'x', (byte)'y', 0xED, 0xA0, 0x80 }, 2, 1)]                          // a surrogate
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'\n', (byte)'\n', 0xE2, 0x82 }, 5, 3)]            // truncated at the end
    public void InvalidUtf8NamesTheByteOffsetAndLine(byte[] bytes, long offset, int line)
    {
        var path = WriteBytes("bad.txt", bytes);
        var e = Assert.Throws<InvalidDataException>(() => TextFiles.ReadAllText(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"invalid UTF-8 at byte {offset} (line {line},", e.Message);
        Assert.Contains($"at byte {offset}", Assert.Throws<InvalidDataException>(() => TextFiles.ReadLines(path).ToList()).Message);
    }

    [Fact]
    public void InvalidUtf8FarIntoAFileIsPlacedExactly()
    {
        var bytes = Utf8(new string('й', 100_000) + "\n" + new string('q', 50_000)).ToList();
        bytes.Insert(200_001 + 30_000, 0xFF);
        var path = WriteBytes("far.txt", bytes.ToArray());
        var lines = new List<string>();
        var e = Assert.Throws<InvalidDataException>(() => { foreach (var (l, _) in TextFiles.ReadLines(path)) lines.Add(l); });
        Assert.Contains("at byte 230001 (line 2,", e.Message);
        Assert.Single(lines); // the valid line before the fault was read
    }

    [Fact]
    public void ALineOverTheLimitIsRefusedNotHeld()
    {
        var path = WriteBytes("oneline.txt", Utf8(new string('z', 5000)));
        var e = Assert.Throws<InvalidDataException>(() => TextFiles.ReadLines(path, maxLineLength: 4096).ToList());
        Assert.Contains($"{path}:1:", e.Message);
        Assert.Contains("longer than 4,096 characters", e.Message);
        Assert.Single(TextFiles.ReadLines(path, maxLineLength: 5000));
        Assert.Equal(1 << 20, TextFiles.MaxLineLength);
    }

    [Fact]
    public void CorporaAndListOpsFilesUseTheStrictReader()
    {
        var utf16 = Path.Combine(_dir, "utf16.tsv");
        File.WriteAllText(utf16, "Source\tTarget\n[MAX 1 ]\t1\n", Encoding.Unicode);
        Assert.Contains("UTF-16 LE byte-order mark", Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadTsv(utf16)).Message);
        Assert.Contains("UTF-16 LE byte-order mark", Assert.Throws<InvalidDataException>(() => ListOpsTsv.Read(utf16)).Message);
        var trainer = new Sharpformer.Tokenization.BpeTrainer(new Sharpformer.Tokenization.BpeTrainerOptions(300));
        Assert.Contains(utf16, Assert.Throws<InvalidDataException>(() => trainer.AddFile(utf16)).Message);
        var oneLine = WriteBytes("long.tsv", Utf8("a\t" + new string('b', TextFiles.MaxLineLength)));
        Assert.Contains("longer than", Assert.Throws<InvalidDataException>(() => ParallelCorpus.ReadTsv(oneLine)).Message);
    }
}
