using System.Globalization;
using System.Text;

namespace Sharpformer.Evaluation;

/// <summary>
/// sacreBLEU's `intl` tokenizer (mteval-v14 international): split Unicode punctuation from a neighbouring
/// non-digit on either side, and pad every Unicode symbol with spaces. Works on code points, as Python does,
/// so characters outside the BMP are classified correctly.
/// </summary>
internal sealed class TokenizerIntl : BleuTokenizer
{
    public override string Name => "intl";

    public override string Tokenize(string line)
    {
        var runes = new List<Rune>(line.Length);
        foreach (Rune r in line.EnumerateRunes()) runes.Add(r);
        runes = SplitPunctuationAfterNonNumber(runes);
        runes = SplitPunctuationBeforeNonNumber(runes);
        var sb = new StringBuilder(runes.Count * 2);
        foreach (Rune r in runes)
        {
            if (IsSymbol(r)) sb.Append(' ').Append(r.ToString()).Append(' ');
            else sb.Append(r.ToString());
        }
        return PythonText.NormalizeSpaces(sb.ToString());
    }

    private static readonly Rune Space = new(' ');

    private static bool IsNumber(Rune r) => Rune.GetUnicodeCategory(r)
        is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsPunctuation(Rune r) => Rune.GetUnicodeCategory(r)
        is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
        or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
        or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static bool IsSymbol(Rune r) => Rune.GetUnicodeCategory(r)
        is UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
        or UnicodeCategory.OtherSymbol;

    // (\P{N})(\p{P}) -> "\1 \2 "
    private static List<Rune> SplitPunctuationAfterNonNumber(List<Rune> s)
    {
        var result = new List<Rune>(s.Count + 16);
        int i = 0;
        while (i < s.Count)
        {
            if (i + 1 < s.Count && !IsNumber(s[i]) && IsPunctuation(s[i + 1]))
            {
                result.Add(s[i]); result.Add(Space); result.Add(s[i + 1]); result.Add(Space);
                i += 2;
            }
            else result.Add(s[i++]);
        }
        return result;
    }

    // (\p{P})(\P{N}) -> " \1 \2"
    private static List<Rune> SplitPunctuationBeforeNonNumber(List<Rune> s)
    {
        var result = new List<Rune>(s.Count + 16);
        int i = 0;
        while (i < s.Count)
        {
            if (i + 1 < s.Count && IsPunctuation(s[i]) && !IsNumber(s[i + 1]))
            {
                result.Add(Space); result.Add(s[i]); result.Add(Space); result.Add(s[i + 1]);
                i += 2;
            }
            else result.Add(s[i++]);
        }
        return result;
    }
}
