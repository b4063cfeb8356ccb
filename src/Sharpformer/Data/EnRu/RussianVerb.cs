namespace Sharpformer.Data.EnRu;

/// <summary>
/// The past tense of a Russian (perfective) verb, which agrees with its subject in gender or number: from the
/// masculine form in -л the others add -а, -о, -и (ударил, ударила, ударило, ударили). Verbs whose masculine has no
/// -л (вытер, спас) give their feminine stem explicitly (вытерл-, спасл-).
/// </summary>
internal sealed record RussianVerb
{
    public string Masculine { get; }
    private readonly string _stem;

    /// <param name="masculine">The masculine past form (ударил).</param>
    /// <param name="otherStem">The stem of the other forms when it is not the masculine form (вытерл- for вытер).</param>
    public RussianVerb(string masculine, string? otherStem = null)
    {
        if (string.IsNullOrEmpty(masculine)) throw new ArgumentException("A verb needs its masculine past form.", nameof(masculine));
        if (otherStem is null && !masculine.EndsWith('л'))
            throw new ArgumentException($"'{masculine}' does not end in -л; give the stem of its other forms.", nameof(otherStem));
        Masculine = masculine;
        _stem = otherStem ?? masculine;
    }

    public string Past(Agreement agreement) => agreement switch
    {
        Agreement.Masculine => Masculine,
        Agreement.Feminine => _stem + "а",
        Agreement.Neuter => _stem + "о",
        Agreement.Plural => _stem + "и",
        _ => throw new ArgumentException($"Unknown agreement {agreement}.", nameof(agreement)),
    };
}
