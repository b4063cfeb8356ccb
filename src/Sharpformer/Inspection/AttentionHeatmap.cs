using System.Globalization;
using System.Net;
using System.Text;
using Sharpformer.Tensors;

namespace Sharpformer.Inspection;

/// <summary>
/// Draws an attention matrix as an SVG heat map: one row per query token, one column per key token, each
/// cell shaded by its weight (white 0 → dark blue 1). A row shows where that token looked.
/// </summary>
internal static class AttentionHeatmap
{
    private const int Cell = 28, LabelWidth = 150, LabelHeight = 110, TitleHeight = 30;

    // weights: (rows, cols), e.g. one head's (Tq, Tk) slice or the mean over heads
    public static string Svg(Tensor weights, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, string title)
    {
        int rows = weights.Dim(0), cols = weights.Dim(1);
        if (rowLabels.Count != rows || columnLabels.Count != cols)
            throw new ArgumentException($"heat map: {rowLabels.Count}×{columnLabels.Count} labels for a {rows}×{cols} matrix.");
        // The title may be wider than the grid: about 8 px a character at 15 px.
        int width = Math.Max(LabelWidth + cols * Cell + 20, 20 + 8 * title.Length), height = TitleHeight + LabelHeight + rows * Cell + 20;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">\n"));
        svg.Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"10\" y=\"20\" font-size=\"15\">{Escape(title)}</text>\n"));
        int top = TitleHeight + LabelHeight;
        for (int c = 0; c < cols; c++)
        {
            int x = LabelWidth + c * Cell + Cell / 2;
            svg.Append(Invariant($"<text transform=\"translate({x},{top - 6}) rotate(-60)\">{Escape(columnLabels[c])}</text>\n"));
        }
        for (int r = 0; r < rows; r++)
        {
            int y = top + r * Cell;
            svg.Append(Invariant($"<text x=\"{LabelWidth - 6}\" y=\"{y + Cell * 0.65}\" text-anchor=\"end\">{Escape(rowLabels[r])}</text>\n"));
            for (int c = 0; c < cols; c++)
            {
                float w = Math.Clamp(weights[r, c], 0f, 1f);
                svg.Append(Invariant($"<rect x=\"{LabelWidth + c * Cell}\" y=\"{y}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{Shade(w)}\" stroke=\"#ddd\"><title>{w:F3}</title></rect>\n"));
            }
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Interpolates white → dark blue.</summary>
    private static string Shade(float w)
    {
        int r = (int)(255 + (8 - 255) * w), g = (int)(255 + (48 - 255) * w), b = (int)(255 + (107 - 255) * w);
        return $"#{r:X2}{g:X2}{b:X2}";
    }

    private static string Escape(string s) => WebUtility.HtmlEncode(s);
    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
