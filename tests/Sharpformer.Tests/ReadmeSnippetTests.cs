namespace Sharpformer.Tests;

/// <summary>
/// The README's and the package README's C# snippet is samples/QuickStart/Program.cs, which `.ci/run pack` builds
/// against the packed library and runs: so the snippet compiles and runs as shown.
/// </summary>
public sealed class ReadmeSnippetTests
{
    private static string Repo(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sharpformer.slnx"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("the repository root (Sharpformer.slnx) is not above the test binaries");
    }

    private static string CSharpBlock(string markdownPath)
    {
        var text = File.ReadAllText(markdownPath).ReplaceLineEndings("\n");
        int start = text.IndexOf("```csharp\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{markdownPath} has no ```csharp block");
        start += "```csharp\n".Length;
        return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/Sharpformer/README.md")]
    public void TheSnippetIsTheQuickStartSample(string readme)
    {
        var sample = File.ReadAllText(Repo("samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");
        Assert.Equal(sample, CSharpBlock(Repo(readme.Split('/'))));
    }

    [Fact]
    public void TheLibrarysPublicTypesAreTheFacade()
    {
        // The plumbing is internal, less four enums that test theories take as parameters.
        string[] testVisible = ["Sharpformer.Autograd.AttentionKernel", "Sharpformer.Data.EnRu.Construction",
            "Sharpformer.Kernels.SimdWidth", "Sharpformer.Kernels.TopKEstimate"];
        var exported = typeof(LanguageModel).Assembly.GetExportedTypes().Select(t => t.FullName!).Except(testVisible);
        Assert.All(exported, name => Assert.Equal("Sharpformer", name[..name.LastIndexOf('.')]));
    }
}
