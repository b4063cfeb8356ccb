using System.Text.RegularExpressions;

namespace Sharpformer.Tokenization;

/// <summary>
/// The pre-tokenizer patterns of GPT-2 and GPT-4 (cl100k_base), written for .NET's Regex. GPT-4's
/// possessive quantifiers (`?+`, `++`) are written plainly: in these two places no backtracking can
/// change the match, so the languages are equal.
/// </summary>
internal static partial class SplitPatterns
{
    /// <summary>GPT-2: contractions, letters, digits, other symbols (each with an optional leading space), spaces.</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>GPT-4 (cl100k_base): case-insensitive contractions, digits in groups of at most three, line breaks kept apart.</summary>
    public const string Gpt4 = @"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+";

    /// <summary>Resolves the names "gpt2" and "gpt4" to their patterns; any other text is taken as a pattern.</summary>
    public static string Resolve(string nameOrPattern) => nameOrPattern switch
    {
        "gpt2" => Gpt2,
        "gpt4" or "cl100k" => Gpt4,
        _ => nameOrPattern,
    };

    [GeneratedRegex(Gpt2, RegexOptions.CultureInvariant)]
    internal static partial Regex Gpt2Regex();

    [GeneratedRegex(Gpt4, RegexOptions.CultureInvariant)]
    internal static partial Regex Gpt4Regex();
}
