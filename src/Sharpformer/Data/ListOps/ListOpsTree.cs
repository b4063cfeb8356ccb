using System.Text;

namespace Sharpformer.Data.ListOps;

/// <summary>
/// A ListOps expression: a digit, or an operator applied to a list of sub-expressions, e.g.
/// <c>[MAX 2 9 [MIN 4 7 ] 0 ]</c> = 9. Written out (<see cref="ToSource"/>) the way the Long Range Arena
/// files store it, where an operator node is the left-nested pairs ((((op, a₁), a₂) …), "]") and every pair is
/// wrapped in parentheses: MAX(2, 9) is <c>( ( ( [MAX 2 ) 9 ) ] )</c>.
/// </summary>
internal abstract class ListOpsTree
{
    /// <summary>Deepest nesting of operators read or generated (the LRA task nests at most 10).</summary>
    public const int MaxDepth = 100;

    /// <summary>Tokens without the parentheses: 1 per digit, 2 per operator (its opening token and "]").</summary>
    public abstract int Length { get; }

    /// <summary>The digit the expression evaluates to (0–9), the class label of the task.</summary>
    public abstract int Evaluate();

    /// <summary>The space-separated source string with parentheses, as in the LRA TSV files.</summary>
    public string ToSource()
    {
        var text = new StringBuilder();
        Write(text);
        return text.ToString();
    }

    /// <summary>The source string without parentheses, e.g. <c>[MAX 2 9 ]</c>.</summary>
    public string ToBracketString() => string.Join(' ', ToSource().Split(' ').Where(t => t is not ("(" or ")")));

    public override string ToString() => ToBracketString();

    internal abstract void Write(StringBuilder text);

    /// <summary>
    /// Reads an expression written with or without the parentheses. Without them it is plain prefix notation
    /// (<c>[SM 3 [MED 1 8 ] ]</c>); with them they must sit exactly where <see cref="ToSource"/> puts them.
    /// </summary>
    public static ListOpsTree Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var all = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var tokens = all.Where(t => t is not ("(" or ")")).ToArray();
        int next = 0;
        var tree = ParseAt(tokens, ref next, 1);
        if (next != tokens.Length) throw new FormatException($"ListOps: unexpected '{tokens[next]}' after a complete expression (token {next + 1}).");
        if (tokens.Length != all.Length && tree.ToSource() != string.Join(' ', all))
            throw new FormatException("ListOps: the parentheses do not pair the operators and arguments the way the LRA format nests them.");
        return tree;
    }

    private static ListOpsTree ParseAt(string[] tokens, ref int next, int depth)
    {
        if (next == tokens.Length) throw new FormatException("ListOps: the expression ends before every operator is closed by ']'.");
        string token = tokens[next++];
        if (token.Length == 1 && token[0] is >= '0' and <= '9') return new ListOpsValue(token[0] - '0');
        if (!ListOpsOperators.TryParse(token, out var op))
            throw new FormatException($"ListOps: '{token}' (token {next}) is neither a digit nor an operator ([MAX, [MIN, [MED, [SM).");
        if (depth > MaxDepth) throw new FormatException($"ListOps: {token} (token {next}) nests deeper than {MaxDepth} operators.");
        var arguments = new List<ListOpsTree>();
        while (next < tokens.Length && tokens[next] != "]") arguments.Add(ParseAt(tokens, ref next, depth + 1));
        if (next == tokens.Length) throw new FormatException($"ListOps: {token} is never closed by ']'.");
        next++;
        if (arguments.Count == 0) throw new FormatException($"ListOps: {token} has no arguments.");
        return new ListOpsNode(op, arguments);
    }
}

/// <summary>A digit leaf.</summary>
internal sealed class ListOpsValue : ListOpsTree
{
    public ListOpsValue(int value)
    {
        if (value is < 0 or > 9) throw new ArgumentOutOfRangeException(nameof(value), value, "ListOps values are digits 0–9.");
        Value = value;
    }

    public int Value { get; }
    public override int Length => 1;
    public override int Evaluate() => Value;
    internal override void Write(StringBuilder text) => text.Append((char)('0' + Value));
}

/// <summary>An operator applied to one or more arguments.</summary>
internal sealed class ListOpsNode : ListOpsTree
{
    public ListOpsNode(ListOpsOperator op, IReadOnlyList<ListOpsTree> arguments)
    {
        if (arguments.Count == 0) throw new ArgumentException($"{op.Token()} needs at least one argument.", nameof(arguments));
        Operator = op;
        Arguments = arguments;
        Length = 2 + arguments.Sum(a => a.Length);
    }

    public ListOpsOperator Operator { get; }
    public IReadOnlyList<ListOpsTree> Arguments { get; }
    public override int Length { get; }
    public override int Evaluate() => Operator.Apply(Arguments.Select(a => a.Evaluate()).ToArray());

    // ((((op, a1), a2) …, an), "]"): n + 1 pairs, so n + 1 opening parentheses up front and one ")" after each element.
    internal override void Write(StringBuilder text)
    {
        text.Insert(text.Length, "( ", Arguments.Count + 1).Append(Operator.Token());
        foreach (var argument in Arguments)
        {
            text.Append(' ');
            argument.Write(text);
            text.Append(" )");
        }
        text.Append(" ] )");
    }
}
