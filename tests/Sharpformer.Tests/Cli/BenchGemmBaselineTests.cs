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
            Assert.True(row.GetProperty("value").GetDouble() > 0);
            Assert.True(row.GetProperty("gflops").GetDouble() > 0);
            Assert.True(row.GetProperty("baseline_gflops").GetDouble() > 0);
        }
    }
}
