using System.CommandLine;

namespace Sharpformer.Cli.Commands;

/// <summary>Options that every command loading a model takes.</summary>
internal static class ModelOptions
{
    /// <summary>`--allow-non-finite`: load weights that hold NaN or ±∞ (refused by default), to inspect a diverged run.</summary>
    public static Option<bool> AllowNonFinite() =>
        new("--allow-non-finite") { Description = "Load weights that hold NaN or ±∞ (refused otherwise), to inspect a diverged run" };
}
