using System.Globalization;
using System.Text.Json;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// Collects benchmark results and prints them either as an aligned table for people or as JSON lines
/// (`{"bench":…,"case":…,"value":…,"unit":…}` plus extra fields) for scripts.
/// Rows are printed as they arrive so long benchmarks show progress.
/// </summary>
internal sealed class BenchReport(TextWriter output, bool json)
{
    private bool _headerPrinted;

    public void Add(string bench, string @case, double value, string unit, IReadOnlyDictionary<string, object>? extra = null)
    {
        if (json)
        {
            var row = new Dictionary<string, object> { ["bench"] = bench, ["case"] = @case, ["value"] = Math.Round(value, 4), ["unit"] = unit };
            if (extra != null) foreach (var (k, v) in extra) row[k] = v is double d ? Math.Round(d, 4) : v;
            output.WriteLine(JsonSerializer.Serialize(row, Commands.CliJson.Default.DictionaryStringObject));
        }
        else
        {
            if (!_headerPrinted)
            {
                output.WriteLine($"{"bench",-14} {"case",-44} {"value",12} unit");
                _headerPrinted = true;
            }
            string more = extra == null ? "" : "  " + string.Join("  ", extra.Select(kv => $"{kv.Key}={Format(kv.Value)}"));
            output.WriteLine($"{bench,-14} {@case,-44} {value.ToString("F2", CultureInfo.InvariantCulture),12} {unit}{more}");
        }
        output.Flush();
    }

    /// <summary>A note for people; omitted in JSON mode so every JSON line stays parseable.</summary>
    public void Note(string text)
    {
        if (!json) output.WriteLine(text);
    }

    private static string Format(object v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
}
