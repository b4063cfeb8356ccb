using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sharpformer.Inspection;

namespace Sharpformer.Tests.Cli;

/// <summary>`sharpformer inspect` writes one page that a real browser draws whole, offline, with the model's numbers.</summary>
public sealed partial class InspectCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-inspect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Inspect(string model, string text, params string[] more)
    {
        var page = Path.Combine(_dir, Path.GetFileName(model) + ".html");
        var (code, output, error) = ExplainCommandTests.Run(["inspect", "--model", model, "--text", text, "--out", page, .. more]);
        Assert.True(code == 0, error);
        Assert.Contains("attention maps", output);
        return page;
    }

    private static Explanation Explain(string model, string text, params string[] more)
    {
        var (code, output, error) = ExplainCommandTests.Run(["explain", "--model", model, "--text", text, "--json", .. more]);
        Assert.True(code == 0, error);
        return JsonSerializer.Deserialize<Explanation>(output)!;
    }

    [Fact]
    public void TheBrowserDrawsEveryHeadWithTheWeightsOfTheJsonAndTheLossCurves()
    {
        HeadlessChromium.Require();
        var (dir, _, _) = ExplainCommandTests.SaveGpt(_dir);
        File.WriteAllLines(Path.Combine(dir, "log.jsonl"), [
            """{"step":0,"train_loss":2.3,"val_loss":2.31,"lr":0.001}""",
            """{"step":50,"train_loss":1.9,"val_loss":2.0,"lr":0.001}""",
            """{"step":100,"train_loss":1.5,"val_loss":1.7,"lr":0.0005,"stopped_by":"steps"}"""]);
        var page = Inspect(dir, "abcabd", "--layer", "1", "--head", "1");
        var dom = HeadlessChromium.DumpDom(page);
        Assert.Contains("data-drawn=\"true\"", dom);
        var maps = Heatmaps(dom);
        var e = Explain(dir, "abcabd");
        Assert.Equal(4, maps.Count);                                  // 2 layers × 2 heads
        CheckMaps(maps, e);
        Assert.Contains("data-series=\"train_loss\"", dom);
        Assert.Contains("data-series=\"val_loss\"", dom);
        Assert.Contains("The matrices of decoder layer 1, head 1", dom);
        Assert.Equal(2, EntropyCells().Matches(dom).Count / 2);       // one row of entropies per layer, two heads each
        var artifacts = Path.Combine(RepositoryRoot(), "out", "inspect");
        Directory.CreateDirectory(artifacts);
        var png = Path.Combine(artifacts, "gpt-report.png");
        File.Delete(png);
        HeadlessChromium.Screenshot(page, png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void ATranslatorsPageHasEncoderDecoderAndCrossAttentionMaps()
    {
        HeadlessChromium.Require();
        var (dir, _, _) = ExplainCommandTests.SaveTranslator(_dir);
        var page = Inspect(dir, "abcd", "--target", "ef");
        var maps = Heatmaps(HeadlessChromium.DumpDom(page));
        Assert.Equal(6, maps.Count);                                  // encoder self, decoder self, cross; 2 heads each
        Assert.Equal(2, maps.Count(m => m.Kind == "cross"));
        Assert.All(maps.Where(m => m.Kind == "cross"), m => Assert.Equal(4, m.Values.GetLength(1)));
        CheckMaps(maps, Explain(dir, "abcd", "--target", "ef"));
        var png = Path.Combine(RepositoryRoot(), "out", "inspect", "translator-report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        HeadlessChromium.Screenshot(page, png);
        Assert.True(new FileInfo(png).Length > 1000);
    }

    [Fact]
    public void ThePageFetchesNothing()
    {
        var (dir, _, _) = ExplainCommandTests.SaveGpt(_dir);
        var html = File.ReadAllText(Inspect(dir, "abc"));
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain(" src=", html);
        Assert.DoesNotContain("fetch(", html);
        Assert.DoesNotContain("XMLHttpRequest", html);
        Assert.DoesNotContain("@import", html);
        Assert.Contains("<script type=\"application/json\" id=\"inspection\">", html);
    }

    [Fact]
    public void BadInputIsOneLineAndExitTwo()
    {
        var (dir, _, _) = ExplainCommandTests.SaveGpt(_dir);
        var page = Path.Combine(_dir, "p.html");
        Assert.Contains("--layer: layer 2 is out of range", ExplainCommandTests.Bad("inspect", "--model", dir, "--text", "ab", "--out", page, "--layer", "2"));
        Assert.Contains("--head: head 2 is out of range", ExplainCommandTests.Bad("inspect", "--model", dir, "--text", "ab", "--out", page, "--head", "2"));
        Assert.Contains("--text: the text is empty", ExplainCommandTests.Bad("inspect", "--model", dir, "--text", "", "--out", page));
        Assert.Contains("does not exist", ExplainCommandTests.Bad("inspect", "--model", dir, "--text", "ab", "--out", Path.Combine(_dir, "no", "p.html")));
        Assert.False(File.Exists(page));
    }

    private sealed record Map(string Stack, int Layer, string Kind, int Head, double[,] Values);

    // Every drawn heat map with its cells' values, from the DOM the browser built.
    private static List<Map> Heatmaps(string dom)
    {
        var maps = new List<Map>();
        foreach (Match svg in HeatmapSvg().Matches(dom))
        {
            string Attr(string name) => Regex.Match(svg.Groups[1].Value, $"{name}=\"([^\"]*)\"").Groups[1].Value;
            var cells = CellRect().Matches(svg.Groups[2].Value).Select(c => (Row: int.Parse(c.Groups[1].Value, CultureInfo.InvariantCulture),
                Col: int.Parse(c.Groups[2].Value, CultureInfo.InvariantCulture), Value: double.Parse(c.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
            var values = new double[cells.Max(c => c.Row) + 1, cells.Max(c => c.Col) + 1];
            foreach (var c in cells) values[c.Row, c.Col] = c.Value;
            Assert.Equal(values.Length, cells.Count);
            maps.Add(new Map(Attr("data-stack"), int.Parse(Attr("data-layer"), CultureInfo.InvariantCulture), Attr("data-kind"),
                int.Parse(Attr("data-head"), CultureInfo.InvariantCulture), values));
        }
        return maps;
    }

    // Each map holds exactly the W of its head in the explanation, and every head of the explanation is drawn.
    private static void CheckMaps(List<Map> maps, Explanation e)
    {
        int heads = 0;
        foreach (var s in e.Stacks)
        foreach (var l in s.Layers)
        foreach (var a in l.Attention)
        foreach (var h in a.Heads)
        {
            heads++;
            var map = Assert.Single(maps, m => m.Stack == s.Name && m.Layer == l.Layer && m.Kind == a.Kind && m.Head == h.Head);
            Assert.Equal(h.Weights.Length, map.Values.GetLength(0));
            Assert.Equal(h.Weights[0].Length, map.Values.GetLength(1));
            for (int i = 0; i < h.Weights.Length; i++)
                for (int j = 0; j < h.Weights[i].Length; j++) Assert.Equal(h.Weights[i][j], map.Values[i, j], 1e-6);
        }
        Assert.Equal(heads, maps.Count);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sharpformer.slnx"))) return dir.FullName;
        return Path.GetTempPath();
    }

    [GeneratedRegex("<svg([^>]*class=\"heatmap\"[^>]*)>(.*?)</svg>", RegexOptions.Singleline)]
    private static partial Regex HeatmapSvg();

    [GeneratedRegex("<rect class=\"cell\"[^>]*data-row=\"(\\d+)\" data-col=\"(\\d+)\" data-value=\"([^\"]+)\"")]
    private static partial Regex CellRect();

    [GeneratedRegex("data-entropy=\"")]
    private static partial Regex EntropyCells();
}
