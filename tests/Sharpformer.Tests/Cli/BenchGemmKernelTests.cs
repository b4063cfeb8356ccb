using System.Text.Json;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Cli;

/// <summary>`bench gemm-kernel`: the micro-kernel alone, its operands in three places, beside the FMA peak.</summary>
[Collection(Kernels.GemmCollection.Name)]
public class BenchGemmKernelTests
{
    [Fact]
    public void ReportsThePeakAndEachPlacementOfTheOperands_AsFractionsOfThatPeak()
    {
        var output = new StringWriter();
        int code = CliApp.Run(["bench", "gemm-kernel", "--trials", "1", "--json"], output, new StringWriter());
        Assert.Equal(0, code);
        var rows = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("fma-peak", rows[0].GetProperty("bench").GetString());
        double peak = rows[0].GetProperty("value").GetDouble();
        var kernel = rows.Skip(1).ToList();
        Assert.Equal(3, kernel.Count);
        Assert.Contains(kernel, r => r.GetProperty("case").GetString() == "operands in L1");
        foreach (var row in kernel)
        {
            Assert.Equal("gemm-kernel", row.GetProperty("bench").GetString());
            double gflops = row.GetProperty("value").GetDouble();
            Assert.InRange(gflops, 0.1, 5_000);
            // JSON figures carry four significant digits.
            Assert.InRange(row.GetProperty("fraction_of_peak").GetDouble() / (gflops / peak), 0.998, 1.002);
        }
    }

    [Fact]
    public void RefusesFewerThanOneTrial()
    {
        var error = new StringWriter();
        int code = CliApp.Run(["bench", "gemm-kernel", "--trials", "0"], new StringWriter(), error);
        Assert.Equal(2, code);
        Assert.Contains("--trials", error.ToString());
    }
}
