using Sharpformer.Cli;

namespace Sharpformer.Tests.Cli;

public class CliErrorTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, error.ToString());
    }

    [Fact]
    public void MissingFileIsOneLineAndExitTwo()
    {
        var (code, error) = Run("train", "--data", "/no/such/file.txt");
        Assert.Equal(2, code);
        Assert.Contains("/no/such/file.txt", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void UnknownOptionAndPresetExitTwo()
    {
        Assert.Equal(2, Run("train", "--bogus").Code);
        var data = TestData.Require("tinyshakespeare", "input.txt");
        var (code, error) = Run("train", "--data", data, "--config", "no-such-preset");
        Assert.Equal(2, code);
        Assert.Contains("no-such-preset", error);
    }
    [Fact]
    public void AttentionErrorNamesAnUnknownVariantOrAMissingModel()
    {
        var (code, error) = Run("attention-error", "--model", "/no/such/model", "--data", "/no/such/file.txt", "--variants", "window,bogus");
        Assert.Equal(2, code);
        Assert.Contains("--variants", error);
        Assert.Contains("bogus", error);
        (code, error) = Run("attention-error", "--model", "/no/such/model", "--data", "/no/such/file.txt");
        Assert.Equal(2, code);
        Assert.Contains("/no/such/model", error);
    }

    [Fact]
    public void BenchGemmBaselineNamesAMissingOrForeignFile()
    {
        var (code, error) = Run("bench", "gemm", "--baseline", "/no/such/Sharpformer.Core.dll");
        Assert.Equal(2, code);
        Assert.Contains("--baseline", error);
        Assert.Contains("/no/such/Sharpformer.Core.dll", error);
        string foreign = typeof(Xunit.Assert).Assembly.Location;
        (code, error) = Run("bench", "gemm", "--baseline", foreign);
        Assert.Equal(2, code);
        Assert.Contains("Gemm", error);
    }

    [Theory]
    [InlineData("--length", "10")]
    [InlineData("--pairs", "0")]
    [InlineData("--attention", "bogus")]
    [InlineData("--width", "63")]
    [InlineData("--steps", "0")]
    [InlineData("--task", "sort")]
    [InlineData("--start-length", "1024")]
    [InlineData("--start-length", "8")]
    [InlineData("--full-length-steps", "10")]
    public void RecallNamesTheBadOption(string option, string value)
    {
        var (code, error) = Run("recall", option, value);
        Assert.Equal(2, code);
        Assert.Contains(option, error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
