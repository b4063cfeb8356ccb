using System.Text.Json;

namespace Sharpformer.Inspection;

/// <summary>
/// The loss curves of a training run from its log.jsonl: every numeric field whose name ends in <c>loss</c>
/// (train_loss, val_loss) against <c>step</c>, one series per field, in the order the lines come.
/// </summary>
internal static class LossLog
{
    /// <summary>The series by field name; a line that is not a JSON object with a numeric step is skipped.</summary>
    public static Dictionary<string, List<double[]>> Read(string path)
    {
        var series = new Dictionary<string, List<double[]>>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException) { continue; }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("step", out var step) || step.ValueKind != JsonValueKind.Number) continue;
                foreach (var field in root.EnumerateObject())
                    if (field.Name.EndsWith("loss", StringComparison.Ordinal) && field.Value.ValueKind == JsonValueKind.Number
                        && double.IsFinite(field.Value.GetDouble()))
                    {
                        if (!series.TryGetValue(field.Name, out var points)) series[field.Name] = points = [];
                        points.Add([step.GetDouble(), field.Value.GetDouble()]);
                    }
            }
        }
        return series;
    }

    /// <summary>
    /// The log.jsonl of the run a checkpoint folder belongs to: in the folder itself, or in the one above it
    /// (a training output holds best/, last/ and log.jsonl); null when there is none.
    /// </summary>
    public static string? Find(string checkpoint)
    {
        foreach (var dir in new[] { checkpoint, Path.GetDirectoryName(Path.GetFullPath(checkpoint)) })
            if (dir != null && File.Exists(Path.Combine(dir, "log.jsonl"))) return Path.Combine(dir, "log.jsonl");
        return null;
    }
}
