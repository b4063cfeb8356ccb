using System.CommandLine;
using Sharpformer.Cli.Bench;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer bench NAME [--json]`: end-to-end performance figures.</summary>
internal static class BenchCommand
{
    public static readonly Option<bool> Json = CreateJson();

    public static Command Create()
    {
        var bench = new Command("bench", "Measure speed and memory; prints a table, or JSON lines with --json.");
        bench.Options.Add(Json);
        foreach (var sub in BenchCatalog.All()) bench.Subcommands.Add(sub);
        return bench;
    }

    private static Option<bool> CreateJson()
    {
        var json = SharedOptions.Json("one JSON object per case, a line each, instead of a table,");
        json.Recursive = true;
        return json;
    }
}
