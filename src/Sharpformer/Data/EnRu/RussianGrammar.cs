namespace Sharpformer.Data.EnRu;

/// <summary>The grammatical gender (or plural) a Russian past-tense verb and adjective agree with.</summary>
internal enum Agreement { Masculine, Feminine, Neuter, Plural }

/// <summary>The three cases the built-in corpus uses: subject, direct object, instrument.</summary>
internal enum RussianCase { Nominative, Accusative, Instrumental }

/// <summary>Spelling classes of Russian letters that decide endings (the "spelling rules").</summary>
internal static class RussianLetters
{
    /// <summary>ж ш ч щ: after them ы → и, and an unstressed о → е.</summary>
    public static bool IsSibilant(char c) => c is 'ж' or 'ш' or 'ч' or 'щ';

    /// <summary>к г х: after them ы → и.</summary>
    public static bool IsVelar(char c) => c is 'к' or 'г' or 'х';

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
