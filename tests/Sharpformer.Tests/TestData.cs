namespace Sharpformer.Tests;

/// <summary>
/// Locates the shared read-only data folder (`../shared/data` beside the repository, or the folder named by
/// SHARPFORMER_DATA). Tests that need it call <see cref="Require"/>, which skips them with the reason when it is absent.
/// </summary>
public static class TestData
{
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SHARPFORMER_DATA");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv)) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Sharpformer.slnx"))) continue;
            var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
            return Directory.Exists(data) ? data : null;
        }
        return null;
    }

    /// <summary>Full path of a file under the data folder; skips the calling test when it is missing.</summary>
    public static string Require(params string[] relative)
    {
        Assert.SkipWhen(Root == null, "../shared/data is absent (set SHARPFORMER_DATA to its path to run this test)");
        var path = Path.Combine([Root!, .. relative]);
        Assert.SkipUnless(File.Exists(path) || Directory.Exists(path), $"{path} is absent from the shared data folder");
        return path;
    }
}
