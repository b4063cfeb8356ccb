using System.Text;

namespace Sharpformer.Evaluation;

/// <summary>
/// sacreBLEU's `char` tokenizer: every code point (not UTF-16 unit) becomes a token; whitespace characters
/// vanish when BLEU splits the result.
/// </summary>
internal sealed class TokenizerChar : BleuTokenizer
{
    public override string Name => "char";

    public override string Tokenize(string line)
    {
        var sb = new StringBuilder(line.Length * 2);
        foreach (Rune rune in line.EnumerateRunes())
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
