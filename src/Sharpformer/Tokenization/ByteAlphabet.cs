using System.Text;

namespace Sharpformer.Tokenization;

/// <summary>
/// GPT-2's printable alphabet for bytes ("bytes_to_unicode"): printable Latin-1 bytes stand for
/// themselves, the other 68 bytes map in order to U+0100, U+0101, … so a space is "Ġ" and a newline "Ċ".
/// Vocabulary files (encoder.json, vocab.bpe, the project's JSON) write tokens in this alphabet so that
/// every token is readable text and never contains a space.
/// </summary>
internal static class ByteAlphabet
{
    private static readonly char[] CharOfByte = BuildCharOfByte();
    private static readonly short[] ByteOfChar = BuildByteOfChar();

    /// <summary>The printable character that stands for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => CharOfByte[value];

    /// <summary>Writes <paramref name="bytes"/> in the printable alphabet.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (byte b in bytes) sb.Append(CharOfByte[b]);
        return sb.ToString();
    }

    /// <summary>Reads bytes written in the printable alphabet; false when a character is not in it.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            int value = c < ByteOfChar.Length ? ByteOfChar[c] : -1;
            if (value < 0) return false;
            bytes[i] = (byte)value;
        }
        return true;
    }

    private static bool StandsForItself(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildCharOfByte()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = StandsForItself(b) ? (char)b : (char)next++;
        return map;
    }

    private static short[] BuildByteOfChar()
    {
        var map = new short[256 + 68];
        Array.Fill(map, (short)-1);
        for (int b = 0; b < 256; b++) map[CharOfByte[b]] = (short)b;
        return map;
    }
}
