using System.Text.RegularExpressions;
using Sharpformer.Tokenization;

namespace Sharpformer.Tests.Tokenization;

public class PreTokenizerTests
{
    [Fact]
    public void Gpt2SplitsAWorkedExample()
    {
        var pieces = PreTokenizer.Create("gpt2").Split("Hello, world! It's 2024:  done\n\n ok   ");
        Assert.Equal(["Hello", ",", " world", "!", " It", "'s", " 2024", ":", " ", " done", "\n\n", " ok", "   "], pieces);
    }

    [Fact]
    public void HandWrittenGpt2ScannerEqualsTheRegexOnRandomText()
    {
        var scanner = PreTokenizer.Create("gpt2");
        var regex = new Regex(SplitPatterns.Gpt2, RegexOptions.CultureInvariant);
        var random = new Random(3);
        for (int i = 0; i < 3000; i++)
        {
            var text = i % 2 == 0 ? TokenizerFixtures.RandomText(random, 1 + random.Next(60), validUtf16: i % 4 != 0)
                                  : TokenizerFixtures.RandomScalars(random, 1 + random.Next(30));
            var expected = regex.Matches(text).Select(m => m.Value).ToArray();
            Assert.Equal(expected, scanner.Split(text));
        }
    }

    [Fact]
    public void Gpt2ScannerEqualsTheRegexOnEveryCharacterBetweenContexts()
    {
        // Each UTF-16 code unit, alone and between a letter, a space and an apostrophe: checks the class table.
        var scanner = PreTokenizer.Create("gpt2");
        var regex = new Regex(SplitPatterns.Gpt2, RegexOptions.CultureInvariant);
        var sb = new System.Text.StringBuilder();
        for (int c = 0; c < 65536; c++) sb.Append("a ").Append((char)c).Append("'s  ").Append((char)c).Append('1');
        var text = sb.ToString();
        Assert.Equal(regex.Matches(text).Select(m => m.Value).ToArray(), scanner.Split(text));
    }

    [Fact]
    public void RegexPiecesCoverTheTextAndKeepSurrogatePairsWhole()
    {
        var random = new Random(8);
        foreach (var pattern in new[] { SplitPatterns.Gpt4, @"\w+", @"[\uDC00-\uDFFF]" })
        {
            var pre = PreTokenizer.Create(pattern);
            for (int i = 0; i < 300; i++)
            {
                var text = TokenizerFixtures.RandomText(random, 1 + random.Next(80));
                var pieces = pre.Split(text);
                Assert.Equal(text, string.Concat(pieces));
                Assert.All(pieces, p => Assert.False(char.IsHighSurrogate(p[^1]) || char.IsLowSurrogate(p[0]), $"'{p}' splits a surrogate pair"));
            }
        }
    }

    [Fact]
    public void Gpt4PatternGroupsDigitsByThree()
    {
        Assert.Equal(["Hello", " world", "123", "45", "'S", "\n\n"], PreTokenizer.Create("gpt4").Split("Hello world12345'S\n\n"));
    }

    [Fact]
    public void InvalidPatternNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => PreTokenizer.Create("(unclosed"));
        Assert.Equal("pattern", ex.ParamName);
    }
}
