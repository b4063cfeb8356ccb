using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Sharpformer.Data;

/// <summary>
/// Reads a stream as strict UTF-8: a leading UTF-8 byte-order mark is skipped, a UTF-16 or UTF-32 one is an error
/// (never a silent switch to another encoding), and an invalid byte sequence is an <see cref="InvalidDataException"/>
/// naming the source, the line and the byte offset. <see cref="ReadLine()"/> refuses a line longer than
/// <see cref="MaxLineLength"/> characters instead of holding a whole file without line breaks in memory.
/// </summary>
internal sealed class Utf8TextReader : TextReader
{
    private readonly Stream _stream;
    private readonly string _source;
    private readonly byte[] _bytes = new byte[1 << 16];
    private int _byteStart, _byteEnd;
    private long _bytesBefore;            // file offset of _bytes[0]
    private bool _endOfStream, _started;
    private readonly char[] _chars = new char[1 << 16];
    private int _charStart, _charEnd;
    private long _lineBreaks;             // '\n' decoded so far, for messages
    private int _line;                    // lines returned by ReadLine
    private InvalidDataException? _pendingError; // raised once the valid text before it has been read

    /// <summary>Opens <paramref name="path"/>; messages name it.</summary>
    public Utf8TextReader(string path) : this(OpenFile(path), path) { }

    /// <summary>Reads <paramref name="stream"/> (disposed with the reader); messages name <paramref name="source"/>.</summary>
    public Utf8TextReader(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _source = source;
    }

    /// <summary>Longest line <see cref="ReadLine()"/> returns, in UTF-16 characters; a longer one is an error.</summary>
    public int MaxLineLength { get; init; } = TextFiles.MaxLineLength;

    /// <summary>Lines returned by <see cref="ReadLine()"/> so far (the number of the last one).</summary>
    public int LineNumber => _line;

    private static FileStream OpenFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
    }

    public override int Peek() => Fill() ? _chars[_charStart] : -1;

    public override int Read() => Fill() ? _chars[_charStart++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty || !Fill()) return 0;
        int n = Math.Min(buffer.Length, _charEnd - _charStart);
        _chars.AsSpan(_charStart, n).CopyTo(buffer);
        _charStart += n;
        return n;
    }

    public override int ReadBlock(Span<char> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    public override int ReadBlock(char[] buffer, int index, int count) => ReadBlock(buffer.AsSpan(index, count));

    /// <summary>The next line without its terminator (\n, \r\n or \r), or null at the end.</summary>
    public override string? ReadLine()
    {
        if (!Fill()) return null;
        StringBuilder? longer = null;
        while (true)
        {
            var span = _chars.AsSpan(_charStart, _charEnd - _charStart);
            int stop = span.IndexOfAny('\n', '\r');
            int take = stop < 0 ? span.Length : stop;
            if ((long)(longer?.Length ?? 0) + take > MaxLineLength)
                throw new InvalidDataException($"{_source}:{_line + 1}: the line is longer than {MaxLineLength:N0} characters, the limit for one line (is the file one long line without line breaks?).");
            if (stop >= 0)
            {
                string line = longer == null ? new string(span[..stop]) : longer.Append(span[..stop]).ToString();
                _charStart += stop + 1;
                if (span[stop] == '\r' && Fill() && _chars[_charStart] == '\n') _charStart++;
                _line++;
                return line;
            }
            (longer ??= new StringBuilder()).Append(span);
            _charStart = _charEnd;
            if (!Fill())
            {
                _line++;
                return longer.ToString();
            }
        }
    }

    /// <summary>True when at least one decoded character is buffered, decoding more when none is.</summary>
    private bool Fill()
    {
        while (_charStart == _charEnd)
        {
            if (_pendingError != null) throw _pendingError;
            if (_endOfStream && _byteStart == _byteEnd) return false;
            if (!_endOfStream && (_byteEnd - _byteStart < 4 || _byteStart == _byteEnd)) ReadBytes();
            if (!_started) CheckByteOrderMark();
            Decode();
        }
        return true;
    }

    private void ReadBytes()
    {
        if (_byteStart > 0)
        {
            _bytes.AsSpan(_byteStart, _byteEnd - _byteStart).CopyTo(_bytes);
            _bytesBefore += _byteStart;
            _byteEnd -= _byteStart;
            _byteStart = 0;
        }
        while (_byteEnd < _bytes.Length && !_endOfStream)
        {
            int n = _stream.Read(_bytes, _byteEnd, _bytes.Length - _byteEnd);
            if (n == 0) _endOfStream = true;
            _byteEnd += n;
            if (n > 0 && (_started || _byteEnd >= 4)) break; // do not wait on a pipe for more than is needed
        }
    }

    private void CheckByteOrderMark()
    {
        if (!_endOfStream && _byteEnd < 4) return; // a short first read: wait for four bytes or the end
        _started = true;
        var head = _bytes.AsSpan(_byteStart, _byteEnd - _byteStart);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) { _byteStart += 3; return; }
        string? other =
            head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0]) ? "UTF-32 LE" :
            head.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]) ? "UTF-32 BE" :
            head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? "UTF-16 LE" :
            head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? "UTF-16 BE" : null;
        if (other != null)
            throw new InvalidDataException($"{_source}: starts with a {other} byte-order mark; expected UTF-8 text (convert it, e.g. `iconv -f {other.Replace(" ", "")} -t UTF-8`).");
    }

    private void Decode()
    {
        if (!_started) return;
        var input = _bytes.AsSpan(_byteStart, _byteEnd - _byteStart);
        var status = Utf8.ToUtf16(input, _chars, out int read, out int written, replaceInvalidSequences: false, isFinalBlock: _endOfStream);
        _lineBreaks += _chars.AsSpan(0, written).Count('\n');
        _byteStart += read;
        _charStart = 0;
        _charEnd = written;
        if (status == OperationStatus.InvalidData)
        {
            long offset = _bytesBefore + _byteStart;
            _pendingError = new InvalidDataException($"{_source}: invalid UTF-8 at byte {offset} (line {_lineBreaks + 1}, byte 0x{_bytes[_byteStart]:X2}); expected UTF-8 text.");
            if (written == 0) throw _pendingError;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _stream.Dispose();
        base.Dispose(disposing);
    }
}
