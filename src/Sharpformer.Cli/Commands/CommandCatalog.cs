using System.CommandLine;

namespace Sharpformer.Cli.Commands;

/// <summary>Every top-level command, in the order `--help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return DemoCommand.Create();
        yield return TrainCommand.Create();
        yield return GenerateCommand.Create();
        yield return EvalCommand.Create();
        yield return ExportCommand.Create();
        yield return AttentionErrorCommand.Create();
        yield return ExplainCommand.Create();
        yield return InspectCommand.Create();
        yield return RecallCommand.Create();
        yield return TrainTranslationCommand.Create();
        yield return TranslateCommand.Create();
        yield return ServeCommand.Create();
        yield return ListOpsCommand.Create();
        yield return BenchCommand.Create();
        yield return BleuCommand.Create();
        yield return CorpusCommand.Create();
        yield return TokenizerCommand.Create();
    }
}
