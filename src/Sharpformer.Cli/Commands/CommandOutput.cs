using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// Where a command writes, the same in every command: its result on the invocation's output writer (standard
/// output), progress and notes on its error writer (standard error). `--quiet` silences the progress; `--json`
/// turns the result into JSON and keeps everything else off the output writer. Errors are written by
/// <see cref="CliApp"/>, on the error writer, whatever the options.
/// </summary>
internal sealed class CommandOutput
{
    public const string JsonName = "--json", QuietName = "--quiet";

    private CommandOutput(TextWriter result, TextWriter progress, bool json, bool quiet, bool live) =>
        (Result, Progress, Json, Quiet, ProgressIsLive) = (result, progress, json, quiet, live);

    /// <summary>The result: text for people, or JSON with <see cref="Json"/>.</summary>
    public TextWriter Result { get; }

    /// <summary>Progress and notes (<see cref="TextWriter.Null"/> under --quiet).</summary>
    public TextWriter Progress { get; }

    /// <summary>--json was given: write the result with <see cref="WriteJson{T}"/>.</summary>
    public bool Json { get; }

    /// <summary>--quiet was given.</summary>
    public bool Quiet { get; }

    /// <summary>Progress reaches a terminal: a progress line may be rewritten in place.</summary>
    public bool ProgressIsLive { get; }

    /// <summary>The writers of <paramref name="parse"/>'s invocation and the --json/--quiet of its command (or of a parent, recursively).</summary>
    public static CommandOutput Of(ParseResult parse)
    {
        var config = parse.InvocationConfiguration;
        bool json = Flag(parse, JsonName), quiet = Flag(parse, QuietName);
        var progress = quiet ? TextWriter.Null : config.Error;
        bool live = !quiet && config.Error == Console.Error && !Console.IsErrorRedirected;
        return new CommandOutput(config.Output, progress, json, quiet, live);
    }

    /// <summary>One JSON value on a line of its own; <paramref name="type"/> is source-generated (<see cref="CliJson"/>).</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> type)
    {
        Result.WriteLine(JsonSerializer.Serialize(value, type));
        Result.Flush();
    }

    private static bool Flag(ParseResult parse, string name)
    {
        for (var command = parse.CommandResult; command != null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            foreach (var option in command.Command.Options)
                if (option.Name == name && option is Option<bool> flag && (command == parse.CommandResult || option.Recursive))
                    return parse.GetValue(flag);
        return false;
    }
}
