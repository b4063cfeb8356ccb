using System.Globalization;

namespace Sharpformer.Tokenization;

/// <summary>
/// The classes the split patterns distinguish, per UTF-16 code unit exactly as .NET's Regex sees them:
/// \p{L}, \p{N}, \s, and everything else. A surrogate is "other", so an emoji is punctuation-like.
/// </summary>
internal enum CharKind : byte { Other = 0, Letter = 1, Number = 2, Space = 3 }

internal static class CharClass
{
    // One byte per UTF-16 code unit (64 KiB): a table lookup beats GetUnicodeCategory in the hot loop.
    private static readonly CharKind[] Table = Build();

    public static CharKind Of(char c) => Table[c];

    private static CharKind[] Build()
    {
        var table = new CharKind[65536];
        for (int i = 0; i < table.Length; i++)
        {
            char c = (char)i;
            table[i] = char.IsWhiteSpace(c) ? CharKind.Space : CharUnicodeInfo.GetUnicodeCategory(c) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
                _ => CharKind.Other,
            };
        }
        return table;
    }
}
