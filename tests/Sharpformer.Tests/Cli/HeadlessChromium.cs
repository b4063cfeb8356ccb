using System.Diagnostics;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// Chromium without a screen (Debian package chromium; `.ci/run` installs it), for tests that open a page in a
/// real browser. Tests that need it skip with the reason when it is absent. The browser gets a fresh profile
/// and no working network, so a page that needed to fetch anything would show it.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly string? Executable = Find();

    private static string? Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SHARPFORMER_CHROMIUM");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            foreach (var name in new[] { "chromium", "chromium-browser" })
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    /// <summary>Skips the calling test when no chromium is installed.</summary>
    public static void Require() =>
        Assert.SkipWhen(Executable == null, "chromium is not installed (apt-get install chromium, or set SHARPFORMER_CHROMIUM to its path)");

    /// <summary>The page's DOM once its scripts have run.</summary>
    public static string DumpDom(string page) => Run(page, "--dump-dom");

    /// <summary>Saves a screenshot of the page, <paramref name="width"/>×<paramref name="height"/> pixels, as PNG.</summary>
    public static void Screenshot(string page, string png, int width = 1280, int height = 2400) =>
        Run(page, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");

    private static string Run(string page, params string[] args)
    {
        Require();
        var profile = Directory.CreateTempSubdirectory("sharpformer-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Executable!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}",
                         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000" })
                start.ArgumentList.Add(a);
            foreach (var a in args) start.ArgumentList.Add(a);
            start.ArgumentList.Add(new Uri(Path.GetFullPath(page)).AbsoluteUri);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s");
            }
            Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally { Directory.Delete(profile, recursive: true); }
    }
}
