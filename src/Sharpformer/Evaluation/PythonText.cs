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
        var sb = new System.Text.StringBuilder(s.Length);
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
    /// Lowercasing as sacreBLEU's <c>lower()</c> for all but a few special cases: .NET's invariant mapping is
    /// one-to-one per character, so U+0130 and the Greek final sigma differ from Python's full case mapping.
    /// </summary>
    public static string Lower(string s) => s.ToLowerInvariant();
}
