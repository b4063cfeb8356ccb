using System.CommandLine;
using Sharpformer.Cli;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// The command line's vocabulary, checked over every command of the root: one name per idea (the names other
/// tools use for the same idea are refused), one value type per name, a description everywhere, and `--json` /
/// `--quiet` wherever a command prints a result / progress.
/// </summary>
public sealed class CommandVocabularyTests
{
    /// <summary>The chosen name of each shared idea, and the names it must not go by.</summary>
    private static readonly (string Name, string[] Synonyms)[] Vocabulary =
    [
        ("--model", ["--checkpoint", "--model-dir", "--dir", "--from"]),
        ("--out", ["--output", "--output-dir", "--out-dir", "--outdir", "-o"]),
        ("--input", ["--in", "--file", "--hyp", "--hypotheses", "--source"]),
        ("--reference", ["--ref", "--refs", "--references"]),
        ("--batch-size", ["--batch", "--bs", "--batchsize", "--sentences"]),
        ("--steps", ["--iters", "--max-iters", "--max-steps", "--iterations"]),
        ("--time-limit", ["--time", "--time-budget", "--budget", "--max-seconds"]),
        ("--seed", ["--random-seed", "--rng-seed"]),
        ("--config", ["--size", "--preset", "--model-size"]),
        ("--layers", ["--n-layer", "--n-layers", "--depth"]),
        ("--heads", ["--n-head", "--n-heads"]),
        ("--width", ["--n-embd", "--embedding", "--dim", "--d-model", "--hidden"]),
        ("--lr", ["--learning-rate"]),
        ("--eval-batches", ["--eval", "--eval-iters"]),
        ("--max-new-tokens", ["--tokens", "--max-tokens", "--new-tokens", "--length-limit"]),
        ("--beam", ["--beam-size", "--num-beams"]),
        ("--temperature", ["--temp"]),
        ("--json", ["--jsonl", "--json-lines", "--format-json"]),
        ("--quiet", ["--silent", "-q", "--no-progress"]),
        ("--count", ["--train-pairs", "--train-count", "--n"]),
    ];

    /// <summary>Commands whose standard output is the product itself (generated text, translations, ids, a server's life), not a result to put in JSON.</summary>
    private static readonly string[] StreamCommands = ["generate", "translate", "tokenizer encode", "tokenizer decode", "serve"];

    /// <summary>Commands that report progress while they work.</summary>
    private static readonly string[] ProgressCommands = ["demo", "train", "train-translation", "recall", "listops train", "tokenizer train", "translate"];

    private static List<(string Path, Command Command)> Commands()
    {
        var all = new List<(string, Command)>();
        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands)
            {
                string subPath = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                all.Add((subPath, sub));
                Walk(sub, subPath);
            }
        }
        Walk(CliApp.BuildRoot(), "");
        return all;
    }

    /// <summary>A command's own options and those its parents pass down (`--threads`, `bench --json`), help left out.</summary>
    private static List<Option> OptionsOf(Command command)
    {
        var options = command.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help").ToList();
        foreach (var parent in Ancestors(command))
            options.AddRange(parent.Options.Where(o => o.Recursive && o.Name != "--help" && options.All(x => x.Name != o.Name)));
        return options;
    }

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent != null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            yield return parent;
    }

    private static bool IsLeaf(Command command) => command.Subcommands.Count == 0;

    [Fact]
    public void EveryCommandAndOptionIsDescribed()
    {
        var commands = Commands();
        Assert.True(commands.Count > 20, $"found only {commands.Count} commands");
        foreach (var (path, command) in commands)
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"`{path}` has no description");
            foreach (var option in OptionsOf(command))
                Assert.False(string.IsNullOrWhiteSpace(option.Description), $"`{path} {option.Name}` has no description");
        }
    }

    [Fact]
    public void NoOptionGoesByAnotherNameOfASharedIdea()
    {
        var refused = Vocabulary.SelectMany(v => v.Synonyms.Select(s => (Synonym: s, v.Name))).ToDictionary(p => p.Synonym, p => p.Name);
        foreach (var (path, command) in Commands())
            foreach (var option in OptionsOf(command))
                foreach (var name in option.Aliases.Prepend(option.Name))
                    Assert.False(refused.TryGetValue(name, out var chosen), $"`{path} {name}`: the command line calls this {chosen}");
    }

    [Fact]
    public void EachNameHasOneValueTypeEverywhere()
    {
        var seen = new Dictionary<string, (Type Type, string Where)>();
        foreach (var (path, command) in Commands())
            foreach (var option in OptionsOf(command))
            {
                // A repeatable option (string[]) takes the same values as a single one; int? is an int that may be left out.
                var type = option.ValueType.IsArray ? option.ValueType.GetElementType()! : option.ValueType;
                type = Nullable.GetUnderlyingType(type) ?? type;
                if (seen.TryGetValue(option.Name, out var first))
                    Assert.True(first.Type == type, $"{option.Name} takes {first.Type.Name} in `{first.Where}` but {type.Name} in `{path}`");
                else seen[option.Name] = (type, path);
            }
    }

    [Fact]
    public void EveryCommandThatPrintsAResultHasJsonAndEveryCommandWithProgressHasQuiet()
    {
        var commands = Commands();
        var leaves = commands.Where(c => IsLeaf(c.Command)).ToList();
        foreach (var name in StreamCommands.Concat(ProgressCommands)) Assert.Contains(leaves, c => c.Path == name);
        foreach (var (path, command) in leaves)
        {
            var names = OptionsOf(command).Select(o => o.Name).ToList();
            if (!StreamCommands.Contains(path)) Assert.True(names.Contains("--json"), $"`{path}` prints a result but has no --json");
            if (ProgressCommands.Contains(path)) Assert.True(names.Contains("--quiet"), $"`{path}` reports progress but has no --quiet");
        }
    }

    [Fact]
    public void JsonAndQuietMeanTheSameEverywhere()
    {
        var descriptions = new Dictionary<string, HashSet<string>> { ["--json"] = [], ["--quiet"] = [] };
        foreach (var (path, command) in Commands())
            foreach (var option in OptionsOf(command).Where(o => descriptions.ContainsKey(o.Name)))
            {
                Assert.True(option.ValueType == typeof(bool), $"`{path} {option.Name}` is not a flag");
                descriptions[option.Name].Add(option.Description!);
            }
        // Made by the one factory each: --json always promises JSON alone on standard output, --quiet one text.
        Assert.All(descriptions["--json"], d => Assert.EndsWith("on standard output, and nothing else there", d));
        Assert.Single(descriptions["--quiet"]);
    }
}
