using System.Text;

namespace Sharpformer.Evaluation;

/// <summary>
/// The mteval-v13a tokenizer as sacreBLEU implements it: undo a few SGML escapes, pad the ASCII
/// punctuation and symbols with spaces, split periods and commas except between digits, split a dash
/// after a digit, then collapse whitespace. Each regular-expression pass of the original is a scan that
/// reproduces its leftmost, non-overlapping matches.
/// </summary>
internal sealed class Tokenizer13a : BleuTokenizer
{
    public override string Name => "13a";

    public override string Tokenize(string line)
    {
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ")
            .Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        string s = PadSymbols(" " + line + " ");
        s = SplitPeriodCommaAfterNonDigit(s);
        s = SplitPeriodCommaBeforeNonDigit(s);
        s = SplitDashAfterDigit(s);
        return PythonText.NormalizeSpaces(s);
    }

    /// <summary>The class <c>[{-~[-` -&amp;(-+:-@/]</c>: ASCII symbols and punctuation except ' , - . and digits.</summary>
    private static bool IsPadded(char c) =>
        c is (>= '{' and <= '~') or (>= '[' and <= '`') or (>= ' ' and <= '&') or (>= '(' and <= '+') or (>= ':' and <= '@') or '/';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsPeriodOrComma(char c) => c is '.' or ',';

    // ([{-~[-` -&(-+:-@/]) -> " \1 "
    private static string PadSymbols(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            if (IsPadded(c)) sb.Append(' ').Append(c).Append(' ');
            else sb.Append(c);
        }
        return sb.ToString();
    }

    // ([^0-9])([\.,]) -> "\1 \2 "
    private static string SplitPeriodCommaAfterNonDigit(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && !IsDigit(s[i]) && IsPeriodOrComma(s[i + 1]))
            {
                sb.Append(s[i]).Append(' ').Append(s[i + 1]).Append(' ');
                i += 2;
            }
            else sb.Append(s[i++]);
        }
        return sb.ToString();
    }

    // ([\.,])([^0-9]) -> " \1 \2"
    private static string SplitPeriodCommaBeforeNonDigit(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && IsPeriodOrComma(s[i]) && !IsDigit(s[i + 1]))
            {
                sb.Append(' ').Append(s[i]).Append(' ').Append(s[i + 1]);
                i += 2;
            }
            else sb.Append(s[i++]);
        }
        return sb.ToString();
    }

    // ([0-9])(-) -> "\1 \2 "
    private static string SplitDashAfterDigit(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        int i = 0;
        while (i < s.Length)
        {
            if (i + 1 < s.Length && IsDigit(s[i]) && s[i + 1] == '-')
            {
                sb.Append(s[i]).Append(" - ");
                i += 2;
            }
            else sb.Append(s[i++]);
        }
        return sb.ToString();
    }
}
