using System.Text.Json;
using Sharpformer.Cli;
using Sharpformer.Kernels;

namespace Sharpformer.Tests.Cli;

/// <summary>`bench gemm --baseline`: another build's GEMM loaded beside this one and timed call for call.</summary>
[Collection(Kernels.GemmCollection.Name)]
public class BenchGemmBaselineTests
{
    [Fact]
    public void ComparesWithASecondCopyOfTheLibrary_OneRatioPerShapeAndThreadCount()
    {
        var output = new StringWriter();
        string core = typeof(Gemm).Assembly.Location;
        int code = CliApp.Run(["bench", "gemm", "--baseline", core, "--only", "256x256x256", "--quick", "--repeats", "1", "--json"], output, new StringWriter());
        Assert.Equal(0, code);
        var rows = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["256x256x256 threads=1", "256x256x256 threads=2"], rows.Select(r => r.GetProperty("case").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal("gemm-vs-baseline", row.GetProperty("bench").GetString());
            // The ratio is the median of paired (baseline time / this build's time), the rates are each side's median: the
            // two agree up to the spread of the pairs. The "baseline" is this very library, so the ratio is near 1 (a
            // factor 3 either way allows for a shared machine).
            double ratio = row.GetProperty("value").GetDouble();
            double gflops = row.GetProperty("gflops").GetDouble(), baseline = row.GetProperty("baseline_gflops").GetDouble();
            Assert.InRange(ratio / (gflops / baseline), 2 / 3.0, 1.5);
            Assert.InRange(ratio, 1 / 3.0, 3.0);
            Assert.InRange(gflops, 0.5, 5_000); // 256³ in GFLOP/s: above a scalar loop, below any CPU's peak
        }
    }
}
