using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sharpformer.Inspection;

/// <summary>
/// One self-contained HTML file that shows an <see cref="Explanation"/>: attention heat maps of every layer and
/// head (values on hover), cross-attention for a translator, attention entropy per head, the logit lens, the
/// matrices of one chosen head, the next tokens and the run's loss curves. The data travel inside the page as
/// JSON and its own script draws them: nothing is fetched, so the file opens anywhere, offline.
/// </summary>
internal static class InspectionPage
{
    /// <summary>The head whose Q, K, V, RW, W and Y the page shows in full.</summary>
    public sealed record ChosenHead(
        [property: JsonPropertyName("stack")] string Stack,
        [property: JsonPropertyName("layer")] int Layer,
        [property: JsonPropertyName("head")] int Head);

    /// <summary>What the page's script reads: the model's name, the chosen head, the loss series and the (slimmed) explanation.</summary>
    internal sealed record PageData(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("chosen")] ChosenHead Chosen,
        [property: JsonPropertyName("losses")] IReadOnlyDictionary<string, List<double[]>> Losses,
        [property: JsonPropertyName("explanation")] Explanation Explanation);

    /// <summary>
    /// The page. <paramref name="explanation"/> must hold every head; of all but <paramref name="chosen"/> only W
    /// travels into the page (the other matrices stay out to keep it small). <paramref name="losses"/>: series
    /// from <see cref="LossLog.Read"/>, or empty.
    /// </summary>
    public static string Html(Explanation explanation, ChosenHead chosen, IReadOnlyDictionary<string, List<double[]>> losses, string modelName)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        ArgumentNullException.ThrowIfNull(chosen);
        var stack = explanation.Stacks.FirstOrDefault(s => s.Name == chosen.Stack)
            ?? throw new ArgumentException($"inspection page: no stack '{chosen.Stack}' (the model has {string.Join(", ", explanation.Stacks.Select(s => s.Name))}).", nameof(chosen));
        if (!stack.Layers.Any(l => l.Layer == chosen.Layer && l.Attention.All(a => a.Heads.Any(h => h.Head == chosen.Head))))
            throw new ArgumentException($"inspection page: {chosen.Stack} has no layer {chosen.Layer} with head {chosen.Head}.", nameof(chosen));
        var slim = explanation with { Stacks = explanation.Stacks.Select(s => Slim(s, chosen)).ToArray() };
        var json = JsonSerializer.Serialize(new PageData(modelName, chosen, losses, slim), InspectionJson.Default.PageData);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append($"<title>sharpformer inspect — {WebUtility.HtmlEncode(modelName)}</title>\n");
        html.Append("<style>\n").Append(Resource("inspect.css")).Append("</style>\n</head>\n<body>\n");
        html.Append("<div id=\"hover\">hover a cell</div>\n<div id=\"report\"></div>\n");
        // "</" cannot end the script early once escaped; JSON reads "<\/" as "</".
        html.Append("<script type=\"application/json\" id=\"inspection\">").Append(json.Replace("</", "<\\/")).Append("</script>\n");
        html.Append("<script>\n").Append(Resource("inspect.js")).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    // Every head keeps W, entropy and largest weight; only the chosen one keeps Q, K, V, RW and Y.
    private static ExplainedStack Slim(ExplainedStack s, ChosenHead chosen) => s with
    {
        TokenEmbedding = [], Positions = [], Input = [],
        Layers = s.Layers.Select(l => l with
        {
            Neurons = [],
            Attention = l.Attention.Select(a => a with
            {
                Merged = [], Projected = [],
                Heads = a.Heads.Select(h => s.Name == chosen.Stack && l.Layer == chosen.Layer && h.Head == chosen.Head
                    ? h : h with { Q = [], K = [], V = [], Scores = [], Y = [] }).ToArray(),
            }).ToArray(),
        }).ToArray(),
    };

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Sharpformer.Inspection." + name)
            ?? throw new InvalidOperationException($"inspection page: the resource {name} is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
