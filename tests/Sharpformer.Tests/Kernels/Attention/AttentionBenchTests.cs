using System.Text.Json;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Kernels;

/// <summary>
/// The attention benchmark's JSON contract (bench, case format, unit, peak_mb), on the smallest length. Alone: peak_mb
/// counts the process's allocations during a call, which other tests running beside it would add to.
/// </summary>
[Collection(GemmCollection.Name)]
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
            Assert.InRange(r.GetProperty("fraction").GetDouble(), 0.5, 1.0);
        });
        // B = 1, nh = 8, hs = 64: a (nh, T, hs) tensor is 1 MiB, the (nh, T, T) weights 8 MiB. Full attention holds the
        // weights beside its output (and the backward dQ, dK, dV besides); flash holds per-row statistics only.
        double Peak(string variant, string mask, string pass) =>
            rows.Single(r => r.GetProperty("case").GetString() == $"{variant} T=512 {mask} {pass}").GetProperty("peak_mb").GetDouble();
        foreach (var mask in new[] { "causal", "noncausal" })
        {
            Assert.InRange(Peak("full", mask, "fwd"), 8 + 1, 64);
            Assert.InRange(Peak("full", mask, "fwdbwd"), 8 + 1 + 3, 64);
            // Below the weights' 8 MiB, with 2 MiB of room for what the runtime itself allocates during a first call
            // (seen: 8.2 MiB on the AVX2 path of a fresh process), and below what full attention holds.
            Assert.InRange(Peak("flash", mask, "fwd"), 1, Math.Min(8 + 2, Peak("full", mask, "fwd")));
            Assert.InRange(Peak("flash", mask, "fwdbwd"), 1 + 3, Peak("full", mask, "fwdbwd"));
        }
    }

    [Fact]
    public void SparseVariantsReportTheFractionOfScoresComputed()
    {
        var output = new StringWriter();
        int code = CliApp.Run(["bench", "attention", "--json", "--max-t", "512", "--repeats", "1", "--variants", "window:64,topk"], output);
        Assert.Equal(0, code);
        var rows = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(8, rows.Count);
        var fractions = rows.ToDictionary(r => r.GetProperty("case").GetString()!, r => r.GetProperty("fraction").GetDouble());
        // window:64 causal: query i sees min(i + 1, 64) keys.
        Assert.Equal((64 * 65 / 2 + (512 - 64) * 64) / (512.0 * 512), fractions["window:64 T=512 causal fwd"], 4);
        // topk (8 chosen + 1 local of 8 key tiles) non-causal visits every tile.
        Assert.Equal(1.0, fractions["topk T=512 noncausal fwdbwd"], 4);
        Assert.All(rows, r => Assert.True(r.GetProperty("peak_mb").GetDouble() > 0));
    }

    [Fact]
    public void HashingVariantReportsItsEntries()
    {
        var output = new StringWriter();
        int code = CliApp.Run(["bench", "attention", "--json", "--max-t", "512", "--repeats", "1", "--variants", "lsh:8:64:2"], output);
        Assert.Equal(0, code);
        var rows = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, rows.Count);
        // Each query sees at most two chunks of 64 keys in each of two rounds.
        Assert.All(rows, r => Assert.InRange(r.GetProperty("fraction").GetDouble(), 0.01, 2 * 2 * 64 / 512.0));
        Assert.All(rows, r => Assert.True(r.GetProperty("peak_mb").GetDouble() > 0));
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
