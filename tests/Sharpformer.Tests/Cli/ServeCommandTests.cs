using System.Reflection;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Cli;

public sealed class ServeCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--queue", "0")]
    [InlineData("--token-limit", "0")]
    [InlineData("--max-new-tokens", "5000")]
    [InlineData("--port", "70000")]
    [InlineData("--max-batch", "0")]
    public void BadOptionsAreRejectedInOneLine(string option, string value)
    {
        var (code, _, error) = Run("serve", "--model", "no-such-folder", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", error);
        Assert.Contains(option, error);
    }

    [Fact]
    public void AFolderWithoutACheckpointIsNamed()
    {
        var (code, _, error) = Run("serve", "--model", "no-such-folder");
        Assert.Equal(2, code);
        Assert.Contains("--model no-such-folder: no checkpoint there", error);
    }

    [Fact]
    public void VersionPrintsThePackageVersion()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        var version = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);   // the version alone, without +commit
    }
}
