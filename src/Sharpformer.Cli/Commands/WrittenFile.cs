namespace Sharpformer.Cli.Commands;

/// <summary>A file a command wrote and how many items (pairs, trees) it holds, as the commands' --json reports it.</summary>
internal sealed record WrittenFile(string Path, int Count);
