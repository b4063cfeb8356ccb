namespace Sharpformer.Data.ListOps;

/// <summary>
/// Checks that encoded ListOps tokens form one expression, in one linear pass without recursion. Without
/// parentheses the grammar is prefix notation, <c>E := digit | OP E+ "]"</c>; with them every parenthesis must sit
/// where the Long Range Arena files put it (<see cref="ListOpsTree.ToSource"/>): an operator of n arguments is
/// <c>"(" × (n + 1) OP E₁ ")" … Eₙ ")" "]" ")"</c>, a digit is bare. Nesting deeper than
/// <see cref="ListOpsTree.MaxDepth"/> operators is refused.
/// </summary>
internal static class ListOpsGrammar
{
    /// <summary>Null when <paramref name="ids"/> is one well-formed expression, else what is wrong and where (token numbers from 1).</summary>
    public static string? Check(ReadOnlySpan<int> ids)
    {
        bool parentheses = ids.IndexOfAny(ListOpsVocabulary.OpenParenthesis, ListOpsVocabulary.CloseParenthesis) >= 0;
        // Per open operator: arguments still due (with parentheses, announced by them) or arguments seen (without).
        Span<int> frames = stackalloc int[ListOpsTree.MaxDepth];
        Span<int> operators = stackalloc int[ListOpsTree.MaxDepth];
        int depth = 0, i = 0;
        while (true)
        {
            // An expression starts at i.
            int open = 0;
            while (i < ids.Length && ids[i] == ListOpsVocabulary.OpenParenthesis) { open++; i++; }
            if (i == ids.Length) return depth == 0 && open == 0 ? "the expression is empty" : $"the expression ends where an argument is expected (after token {i})";
            int token = ids[i++];
            if (IsOperator(token))
            {
                if (parentheses && open < 2)
                    return $"{Name(token)} (token {i}) has {open} '(' before it; an operator of n arguments needs n + 1";
                if (depth == ListOpsTree.MaxDepth) return $"{Name(token)} (token {i}) nests deeper than {ListOpsTree.MaxDepth} operators";
                operators[depth] = token;
                frames[depth++] = parentheses ? open - 1 : 0;
                continue;
            }
            if (!IsDigit(token))
                return $"token {i} is '{Name(token)}' where a digit or an operator ([MAX [MIN [MED [SM) is expected";
            if (open > 0) return $"the digit {Name(token)} (token {i}) is wrapped in '('; only operators are";

            // An expression ended just before i: close every operator it completes.
            while (true)
            {
                if (depth == 0)
                    return i == ids.Length ? null : $"'{Name(ids[i])}' (token {i + 1}) follows a complete expression";
                if (parentheses)
                {
                    if (!Next(ids, ref i, ListOpsVocabulary.CloseParenthesis)) return Expected("')' after an argument", ids, i);
                    if (--frames[depth - 1] > 0) break;
                    if (!Next(ids, ref i, Bracket)) return Expected($"']' closing {Name(operators[depth - 1])} after the arguments its parentheses announce", ids, i);
                    if (!Next(ids, ref i, ListOpsVocabulary.CloseParenthesis)) return Expected("')' after ']'", ids, i);
                }
                else
                {
                    frames[depth - 1]++;
                    if (!Next(ids, ref i, Bracket)) break;
                }
                depth--;
            }
        }
    }

    private const int Bracket = 6, FirstOperator = 2, LastOperator = 5, FirstDigit = 9;

    private static bool IsOperator(int id) => id is >= FirstOperator and <= LastOperator;

    private static bool IsDigit(int id) => id is >= FirstDigit and < FirstDigit + 10;

    private static bool Next(ReadOnlySpan<int> ids, ref int i, int token)
    {
        if (i >= ids.Length || ids[i] != token) return false;
        i++;
        return true;
    }

    private static string Expected(string what, ReadOnlySpan<int> ids, int i) =>
        i >= ids.Length ? $"the expression ends where {what} is expected" : $"expected {what}, found '{Name(ids[i])}' (token {i + 1})";

    private static string Name(int id) => (uint)id < (uint)ListOpsVocabulary.Size ? ListOpsVocabulary.Tokens[id] : $"id {id}";
}
