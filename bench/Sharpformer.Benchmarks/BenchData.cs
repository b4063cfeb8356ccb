namespace Sharpformer.Benchmarks;

/// <summary>Finds the shared read-only data folder: SHARPFORMER_DATA, or ../shared/data beside the repository.</summary>
internal static class BenchData
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        return System.IO.File.Exists(path) || Directory.Exists(path) ? path : throw new FileNotFoundException($"Benchmark data not found: {path}", path);
    }

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("SHARPFORMER_DATA") is { Length: > 0 } env && Directory.Exists(env)) return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "Sharpformer.slnx")))
                {
                    var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                    if (Directory.Exists(data)) return data;
                }
        throw new DirectoryNotFoundException("Shared data folder not found: set SHARPFORMER_DATA (expected ../shared/data beside the repository).");
    }
}
