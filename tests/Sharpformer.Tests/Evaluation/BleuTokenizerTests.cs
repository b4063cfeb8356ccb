using Sharpformer.Evaluation;

namespace Sharpformer.Tests.Evaluation;

public class BleuTokenizerTests
{
    [Theory]
    [InlineData("It wasn't surprising.", "It wasn't surprising .")]
    [InlineData("Hello, world!", "Hello , world !")]
    [InlineData("Pi is 3.14, not 1,000.", "Pi is 3.14 , not 1,000 .")]
    [InlineData("1990-2000 and well-known", "1990 - 2000 and well-known")]
    [InlineData("&quot;quoted&quot; &amp; &lt;b&gt;", "\" quoted \" & < b >")]
    [InlineData("a<skipped>b", "ab")]
    [InlineData("(x) [y] {z} a/b", "( x ) [ y ] { z } a / b")]
    [InlineData("  spaced\tout  ", "spaced out")]
    [InlineData("Петя ударил Васю лопатой.", "Петя ударил Васю лопатой .")]
    [InlineData("end 2020.", "end 2020 .")]
    public void Mteval13a(string input, string expected) => Assert.Equal(expected, BleuTokenizer.Mteval13a.Tokenize(input));

    [Theory]
    [InlineData("Hello, world!", "Hello , world !")]
    [InlineData("Pi is 3.14, ok", "Pi is 3.14 , ok")]
    [InlineData("a$b+c", "a $ b + c")]
    [InlineData("«Да», — сказал он.", "« Да » , — сказал он .")]
    [InlineData("end 2020.", "end 2020.")] // mteval-v14 keeps a number's final period: no space follows it
    [InlineData("smile\U0001F600!", "smile \U0001F600 !")]
    public void International(string input, string expected) => Assert.Equal(expected, BleuTokenizer.International.Tokenize(input));

    [Fact]
    public void CharacterTokensAreCodePoints()
    {
        var bleu = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.Character });
        Assert.Equal(new[] { "a", "b", "c", "\U0001F600" }, bleu.Tokens("ab c\U0001F600"));
    }

    [Fact]
    public void NoneSplitsOnPythonWhitespaceOnly()
    {
        var bleu = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None });
        Assert.Equal(new[] { "a,b", "c.", "d" }, bleu.Tokens("a,b c.\u001Fd "));
    }

    [Fact]
    public void UnknownNameIsRejectedWithTheChoices()
    {
        var ex = Assert.Throws<ArgumentException>(() => BleuTokenizer.Parse("moses"));
        Assert.Contains("13a, none, intl, char", ex.Message);
    }
}

public class PythonLowercaseTests
{
    [Theory]
    [InlineData("Петя УДАРИЛ Васю", "петя ударил васю")]
    [InlineData("ΟΔΟΣ", "οδος")]                 // final sigma at the end of a word
    [InlineData("ΟΔΟΣ ΣΟΦΙΑ", "οδος σοφια")]     // medial sigma at the start of one
    [InlineData("Σ", "σ")]                       // no cased letter before: not final
    [InlineData("ΑΣ'Α", "ασ'α")]                 // the apostrophe is skipped, a letter follows
    [InlineData("İstanbul", "i\u0307stanbul")]   // U+0130 becomes two code points
    [InlineData("A\U00010400", "a\U00010428")]   // Deseret, outside the BMP
    public void LowercaseFollowsPython(string input, string expected)
    {
        var bleu = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.None, Lowercase = true });
        Assert.Equal(expected.Split(' '), bleu.Tokens(input));
    }
}
