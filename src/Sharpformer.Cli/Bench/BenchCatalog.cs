using System.CommandLine;

namespace Sharpformer.Cli.Bench;

/// <summary>Every `bench` subcommand.</summary>
internal static class BenchCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return GemmBench.Create();
        yield return GemmKernelBench.Create();
        yield return TrainStepBench.Create();
        yield return GenerateBench.Create();
        yield return TokenizerBench.Create();
        yield return AttentionBench.Create();
        yield return ServeBench.Create();
    }
}
