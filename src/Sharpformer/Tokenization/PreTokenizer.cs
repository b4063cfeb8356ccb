using System.Text.RegularExpressions;

namespace Sharpformer.Tokenization;

/// <summary>
/// Splits text into pieces ("pre-tokens") before BPE: merges never cross a piece boundary, so a word
/// and its punctuation or the space before it are learned separately. Thread-safe.
/// </summary>
internal abstract class PreTokenizer
{
    /// <summary>The regular expression whose matches are the pieces.</summary>
    public abstract string Pattern { get; }

    /// <summary>Appends the range of each piece of <paramref name="text"/> to <paramref name="pieces"/>; the pieces tile the text.</summary>
    public void Split(ReadOnlySpan<char> text, List<Range> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var sink = new RangeListSink(pieces);
        Split(text, ref sink);
    }

    /// <summary>Hands each piece to <paramref name="sink"/> as it is found (no list for a long text).</summary>
    internal abstract void Split<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : IPieceSink, allows ref struct;

    private readonly struct RangeListSink(List<Range> pieces) : IPieceSink
    {
        public void Add(int start, int end) => pieces.Add(new Range(start, end));
    }

    /// <summary>The pieces of <paramref name="text"/> as strings (for inspection and tests).</summary>
    public IReadOnlyList<string> Split(string text)
    {
        var ranges = new List<Range>();
        Split(text, ranges);
        return ranges.Select(r => text[r]).ToArray();
    }

    /// <summary>
    /// Longest a user-supplied pattern may search for one match. A pattern that backtracks catastrophically
    /// (<c>(a+)+$</c> on a run of a's) then fails with an <see cref="ArgumentException"/> naming it instead of
    /// running for hours; GPT-2's and GPT-4's patterns have no timeout (they cannot backtrack that way).
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The pre-tokenizer for <paramref name="pattern"/> ("gpt2", "gpt4" or a regular expression).
    /// GPT-2's pattern gets a hand-written scanner that is tested to split exactly like the regex.
    /// </summary>
    public static PreTokenizer Create(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        pattern = SplitPatterns.Resolve(pattern);
        if (pattern == SplitPatterns.Gpt2) return Gpt2PreTokenizer.Instance;
        if (pattern == SplitPatterns.Gpt4) return new RegexPreTokenizer(SplitPatterns.Gpt4Regex());
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Pre-tokenizer pattern is not a valid regular expression: {ex.Message}", nameof(pattern), ex);
        }
        return new RegexPreTokenizer(regex);
    }
}

/// <summary>
/// Pieces are the matches of a regular expression. Unlike Python's findall, text that no match covers
/// becomes a piece of its own, and a piece never ends between the two halves of a surrogate pair, so
/// encoding stays lossless under any pattern (GPT-2's and GPT-4's patterns cover all text anyway).
/// </summary>
internal sealed class RegexPreTokenizer(Regex regex) : PreTokenizer
{
    public override string Pattern => regex.ToString();

    internal override void Split<TSink>(ReadOnlySpan<char> text, ref TSink sink)
    {
        int covered = 0;
        try
        {
            foreach (var match in regex.EnumerateMatches(text))
            {
                if (match.Index > covered) covered = Emit(text, covered, match.Index, ref sink);
                covered = Emit(text, covered, match.Index + match.Length, ref sink);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ArgumentException($"Pre-tokenizer pattern '{Pattern}' searched for one match for more than {regex.MatchTimeout.TotalSeconds:0.###} s " +
                $"(from character {covered} of a {text.Length}-character text): it backtracks catastrophically; rewrite it without nested quantifiers such as (a+)+.");
        }
        Emit(text, covered, text.Length, ref sink);
    }

    /// <summary>Hands over the piece [start, end) (moved past a split surrogate pair); returns its end.</summary>
    private static int Emit<TSink>(ReadOnlySpan<char> text, int start, int end, ref TSink sink) where TSink : IPieceSink, allows ref struct
    {
        if (end <= start) return start;
        if (end < text.Length && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end])) end++;
        sink.Add(start, end);
        return end;
    }
}

/// <summary>Receives the pieces of a text, in order, as [start, end) offsets.</summary>
internal interface IPieceSink
{
    void Add(int start, int end);
}
