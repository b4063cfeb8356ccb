using System.CommandLine;
using Sharpformer.Cli.Commands;

namespace Sharpformer.Cli;

/// <summary>Builds the command tree and maps exceptions to one line and an exit code.</summary>
public static class CliApp
{
    /// <summary>Prints the stack trace of a failure instead of one line.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces on errors", Recursive = true };

    /// <summary>Kernel threads; defaults to all cores.</summary>
    public static readonly Option<int?> Threads = new("--threads") { Description = "Threads used by kernels (default: all cores)", Recursive = true };

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Sharpformer: a transformer built from first principles in C#.");
        root.Options.Add(Verbose);
        root.Options.Add(Threads);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root;
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = BuildRoot();
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (output != null) config.Output = output;
        if (error != null) config.Error = error;
        var parsed = root.Parse(args);
        bool verbose = parsed.GetValue(Verbose);
        if (parsed.Errors.Count > 0)
        {
            var err = error ?? Console.Error;
            foreach (var e in parsed.Errors) err.WriteLine($"error: {e.Message}");
            err.WriteLine($"(see `{parsed.CommandResult.Command.Name} --help`)");
            return 2;
        }
        try
        {
            // A scope rather than the process default: the command runs in it (tasks it starts included),
            // and an in-process caller (the tests) keeps its own count for its other work.
            if (parsed.GetValue(Threads) is not int threads) return parsed.Invoke(config);
            using (Sharpformer.Kernels.Parallelism.UseThreads(threads)) return parsed.Invoke(config);
        }
        catch (Exception ex) when (IsBadInput(ex) && !verbose)
        {
            (error ?? Console.Error).WriteLine($"error: {PlainMessage(ex)}");
            return 2;
        }
        catch (Exception ex) when (!verbose)
        {
            (error ?? Console.Error).WriteLine($"internal error: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The message without the " (Parameter 'x')" that ArgumentException appends (also where one message was
    /// wrapped in another): the text names the input already.
    /// </summary>
    internal static string PlainMessage(Exception ex) =>
        System.Text.RegularExpressions.Regex.Replace(ex.Message, @" \(Parameter '[^']*'\)", "");

    private static bool IsBadInput(Exception ex) =>
        ex is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or FormatException or System.Text.Json.JsonException or Sharpformer.Training.NonFiniteTrainingException;
}
