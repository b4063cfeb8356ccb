using System.Globalization;

namespace Sharpformer.Inspection;

/// <summary>
/// Writes an <see cref="Explanation"/> for a terminal, in the notation of the matrices: rows labelled by token,
/// wide matrices cut to their first <see cref="Columns"/> columns and long ones to their first <see cref="MaxRows"/>
/// rows (the JSON form has them whole), three decimals.
/// </summary>
internal sealed class ExplanationText(TextWriter output)
{
    /// <summary>Columns shown of a matrix wider than a terminal.</summary>
    public const int Columns = 8;
    /// <summary>Rows shown of a matrix longer than a screen.</summary>
    public const int MaxRows = 32;
    private const int LabelWidth = 10, CellWidth = 8;

    /// <summary>The whole walk-through, stack by stack, then the next tokens.</summary>
    public void Write(Explanation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        output.WriteLine($"{(e.Model == "gpt" ? "GPT" : "translator")}, attention '{e.Attention}'");
        foreach (var stack in e.Stacks) Write(stack);
        output.WriteLine();
        output.WriteLine("next token, softmax of the last row of the logits:");
        foreach (var t in e.NextTokens) output.WriteLine(Invariant($"  {Quote(t.Text),-12} id {t.Id,-6} p = {t.Value:F4}"));
    }

    private void Write(ExplainedStack s)
    {
        int t = s.Tokens.Length, c = s.Input[0].Length;
        var labels = s.Tokens.Select(x => x.Text).ToArray();
        output.WriteLine();
        output.WriteLine($"=== {s.Name}: t = {t} tokens, C = {c} channels ===");
        output.WriteLine("tokens:   " + string.Join("  ", s.Tokens.Select((x, i) => $"{i}:{Quote(x.Text)}={x.Id}")));
        output.WriteLine($"A ({t}×V, one-hot): row i has its one in column id_i = [{string.Join(", ", s.Tokens.Select(x => x.Id))}]");
        Matrix($"X = A·E ({t}×{c}), the rows of E the ids pick", s.TokenEmbedding, labels, null);
        Matrix($"positions ({t}×{c})", s.Positions, labels, null);
        Matrix($"input to layer 0 ({t}×{c}): X (times √C in a translator) plus the positions", s.Input, labels, null);
        foreach (var layer in s.Layers) Write(s.Name, layer, labels);
    }

    private void Write(string stack, ExplainedLayer layer, string[] labels)
    {
        foreach (var a in layer.Attention)
        {
            var keys = a.Keys.Select(x => x.Text).ToArray();
            foreach (var h in a.Heads)
            {
                // d is the head size hs; merged query–key attention's Q = X·M_h and K = X are C wide (dk).
                int tq = h.Q.Length, tk = h.K.Length, d = h.V[0].Length, dk = h.Q[0].Length;
                output.WriteLine();
                output.WriteLine($"--- {stack} layer {layer.Layer}, {a.Kind}-attention{(a.Causal ? " (causal)" : "")}, head {h.Head}, d = {d} ---");
                Matrix(dk == d ? $"Q ({tq}×{d})" : $"Q = X·M_h ({tq}×{dk})", h.Q, labels, null);
                Matrix($"K ({tk}×{dk}){(dk == d ? "" : ", X itself")}{(a.Kind == "cross" ? ", from the encoder output" : "")}", h.K, keys, null);
                Matrix($"V ({tk}×{d})", h.V, keys, null);
                Matrix($"RW = Q·Kᵀ/√{d} ({tq}×{tk}; −∞ where the mask hides a key)", h.Scores, labels, keys);
                Matrix(Invariant($"W = softmax(RW) ({tq}×{tk}): mean row entropy {h.Entropy:F3} nats (uniform over all keys: {Math.Log(tk):F3}), mean largest weight {h.MaxWeight:F3}"),
                    h.Weights, labels, keys);
                Matrix($"Y = W·V ({tq}×{d})", h.Y, labels, null);
            }
            int c = a.Merged[0].Length;
            Matrix($"{stack} layer {layer.Layer}: the heads of {a.Kind}-attention side by side ({a.Merged.Length}×{c})", a.Merged, labels, null);
            Matrix($"… projected by the output matrix, added to the residual stream ({a.Projected.Length}×{c})", a.Projected, labels, null);
        }
        if (layer.Neurons.Length > 0)
        {
            output.WriteLine();
            output.WriteLine($"{stack} layer {layer.Layer}, feed-forward: the most active neurons (each at the token where it fires most) and the tokens their output pushes up");
            foreach (var n in layer.Neurons.GroupBy(n => n.Neuron).Select(g => g.MaxBy(n => n.Activation)!).OrderByDescending(n => n.Activation).Take(5))
                output.WriteLine(Invariant($"  neuron {n.Neuron,5} at {n.Position}:{Quote(labels[n.Position]),-10} {n.Activation,7:F3}  → ")
                    + string.Join(", ", n.Promotes.Select(p => Invariant($"{Quote(p.Text)} {p.Value:F2}"))));
        }
        if (layer.LogitLens.Length > 0)
        {
            output.WriteLine();
            output.WriteLine($"{stack} layer {layer.Layer}, logit lens: the top next token read from the residual stream after this layer");
            output.WriteLine("  " + string.Join("  ", layer.LogitLens.Select((t, i) => Invariant($"{Quote(labels[i])}→{Quote(t.Text)} {t.Value:F2}"))));
        }
    }

    private void Matrix(string title, IReadOnlyList<IReadOnlyList<float?>> rows, string[] rowLabels, string[]? columnLabels)
    {
        output.WriteLine();
        output.WriteLine(title + ":");
        int cols = rows[0].Count, shown = Math.Min(cols, Columns);
        var header = new string(' ', LabelWidth) + string.Concat(Enumerable.Range(0, shown).Select(j =>
            Cut(columnLabels?[j] ?? $"c{j}", CellWidth - 1).PadLeft(CellWidth)));
        output.WriteLine(header + (shown < cols ? $"  … ({cols - shown} more)" : ""));
        for (int i = 0; i < Math.Min(rows.Count, MaxRows); i++)
        {
            var cells = Enumerable.Range(0, shown).Select(j => rows[i][j] is float v ? v.ToString("F3", CultureInfo.InvariantCulture) : "−∞");
            output.WriteLine(Cut(rowLabels[i], LabelWidth - 1).PadRight(LabelWidth) + string.Concat(cells.Select(x => x.PadLeft(CellWidth))) + (shown < cols ? "  …" : ""));
        }
        if (rows.Count > MaxRows) output.WriteLine($"… {rows.Count - MaxRows} more rows (--json has them all)");
    }

    private void Matrix(string title, float[][] rows, string[] rowLabels, string[]? columnLabels) =>
        Matrix(title, rows.Select(r => (IReadOnlyList<float?>)r.Select(v => (float?)v).ToArray()).ToArray(), rowLabels, columnLabels);

    private void Matrix(string title, float?[][] rows, string[] rowLabels, string[]? columnLabels) =>
        Matrix(title, rows.Select(r => (IReadOnlyList<float?>)r).ToArray(), rowLabels, columnLabels);

    private static string Quote(string text) => $"\"{text}\"";
    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
