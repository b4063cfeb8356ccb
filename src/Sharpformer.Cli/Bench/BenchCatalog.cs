using System.CommandLine;

namespace Sharpformer.Cli.Bench;

/// <summary>Every `bench` subcommand.</summary>
internal static class BenchCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return TokenizerBench.Create();
    }
}
