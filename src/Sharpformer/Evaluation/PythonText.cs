using System.Globalization;
using System.Text;

namespace Sharpformer.Evaluation;

/// <summary>
/// The string operations sacreBLEU gets from Python, reproduced exactly: <c>str.split()</c> with no argument,
/// <c>str.rstrip()</c> and the whitespace set of <c>str.isspace()</c> (which, unlike <see cref="char.IsWhiteSpace(char)"/>,
/// includes the separators U+001C–U+001F).
/// </summary>
internal static class PythonText
{
    /// <summary>Python's whitespace set; every member is in the BMP, so a char test is exact.</summary>
    public static bool IsSpace(char c) =>
        c is (>= '\t' and <= '\r') or (>= '\u001c' and <= ' ') or '\u0085' or '\u00a0' or '\u1680'
            or (>= '\u2000' and <= '\u200a') or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000';

    /// <summary><c>s.split()</c>: runs of whitespace separate words; no empty words.</summary>
    public static List<string> Split(string s)
    {
        var words = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) words.Add(s.Substring(start, i - start));
        }
        return words;
    }

    /// <summary><c>s.rstrip()</c>.</summary>
    public static string RStrip(string s)
    {
        int end = s.Length;
        while (end > 0 && IsSpace(s[end - 1])) end--;
        return end == s.Length ? s : s[..end];
    }

    /// <summary><c>''.join(s.split())</c>: the string with every whitespace character removed.</summary>
    public static string RemoveWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) if (!IsSpace(c)) sb.Append(c);
        return sb.ToString();
    }

    /// <summary><c>' '.join(s.split())</c>: whitespace runs collapsed to one space, none at the ends.</summary>
    public static string NormalizeSpaces(string s) => string.Join(' ', Split(s));

    /// <summary>
    /// Start offsets (in UTF-16 units) of each code point, plus the length at the end, so that
    /// <c>s[i:i+n]</c> in Python (code-point indexing) is <c>s[starts[i]..starts[i+n]]</c> here.
    /// </summary>
    public static int[] CodePointStarts(string s)
    {
        var starts = new List<int>(s.Length + 1);
        for (int i = 0; i < s.Length; i++)
        {
            starts.Add(i);
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
        }
        starts.Add(s.Length);
        return [.. starts];
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: the simple lowercase mapping of each code point, plus the two rules of Unicode's
    /// full mapping that Python applies: U+0130 (İ) becomes "i̇" (two code points), and Σ becomes final ς when it
    /// ends a word (a cased letter before it, none after it, skipping case-ignorable characters both ways).
    /// Cased and case-ignorable are approximated by general categories plus the word-internal punctuation
    /// (apostrophes, period, colon, middle dot) that Unicode counts as case-ignorable.
    /// </summary>
    public static string Lower(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length;)
        {
            var rune = Rune.GetRuneAt(s, i);
            if (rune.Value == 0x130) sb.Append("i\u0307");
            else if (rune.Value == 0x3A3) sb.Append(IsFinalSigma(s, i) ? 'ς' : 'σ');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += rune.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    private static bool IsFinalSigma(string s, int index)
    {
        bool casedBefore = false;
        for (int j = index; j > 0;)
        {
            Rune.DecodeLastFromUtf16(s.AsSpan(0, j), out var r, out int n);
            j -= n;
            if (IsCaseIgnorable(r)) continue;
            casedBefore = IsCased(r);
            break;
        }
        if (!casedBefore) return false;
        for (int j = index + 1; j < s.Length;)
        {
            var r = Rune.GetRuneAt(s, j);
            j += r.Utf16SequenceLength;
            if (IsCaseIgnorable(r)) continue;
            return !IsCased(r);
        }
        return true;
    }

    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r)
        is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || r.Value is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027 or 0xFE13 or 0xFE52
            or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
}
