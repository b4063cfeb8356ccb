using System.Text.Json;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Kernels;

/// <summary>The attention benchmark's JSON contract (bench, case format, unit, peak_mb), on the smallest length.</summary>
public class AttentionBenchTests
{
    [Fact]
    public void JsonLinesNameVariantLengthMaskAndPass()
    {
        var output = new StringWriter();
        int code = CliApp.Run(["bench", "attention", "--json", "--max-t", "512", "--repeats", "1"], output);
        Assert.Equal(0, code);
        var rows = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var cases = rows.Select(r => r.GetProperty("case").GetString()).ToList();
        foreach (var variant in new[] { "full", "flash" })
            foreach (var mask in new[] { "causal", "noncausal" })
                foreach (var pass in new[] { "fwd", "fwdbwd" })
                    Assert.Contains($"{variant} T=512 {mask} {pass}", cases);
        Assert.All(rows, r =>
        {
            Assert.Equal("attention", r.GetProperty("bench").GetString());
            Assert.Equal("ms", r.GetProperty("unit").GetString());
            Assert.True(r.GetProperty("value").GetDouble() > 0);
            Assert.True(r.GetProperty("peak_mb").GetDouble() > 0);
        });
    }

    [Fact]
    public void UnknownVariantFailsNamingIt()
    {
        var error = new StringWriter();
        int code = CliApp.Run(["bench", "attention", "--variants", "sparse", "--max-t", "512"], new StringWriter(), error);
        Assert.NotEqual(0, code);
        Assert.Contains("unknown attention variant 'sparse'", error.ToString());
    }
}
