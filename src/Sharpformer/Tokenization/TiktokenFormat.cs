using System.Text;
using Sharpformer.Tensors;

namespace Sharpformer.Tokenization;

/// <summary>
/// tiktoken's rank file: one token a line, "BASE64 RANK", the rank being the id. The file holds
/// neither merge rules nor special tokens nor the pattern: merges follow tiktoken's rule (adjacent
/// tokens merge when their concatenation is a token, lowest rank first), and the specials and pattern
/// of the two known vocabularies (GPT-2's 50,256 ranks, cl100k_base's 100,256) are filled in.
/// </summary>
internal static class TiktokenFormat
{
    /// <summary>Longest line read (a token of about 48 kB in base64, far beyond any real vocabulary's).</summary>
    public const int MaxLineLength = 1 << 16;

    /// <summary>Longest token written: one whose line stays within <see cref="MaxLineLength"/>.</summary>
    public const int MaxTokenBytes = (MaxLineLength - 16) / 4 * 3;

    public static BpeTokenizer Load(string path, string? pattern = null, IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        var builder = new VocabularyBuilder();
        foreach (var (line, lineNumber) in Data.TextFiles.ReadLines(path, MaxLineLength))
        {
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), System.Globalization.NumberStyles.None, null, out int rank))
                throw TokenizerJsonFormat.Bad(path, $"line {lineNumber} is not \"BASE64 RANK\"");
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(line[..space]);
            }
            catch (FormatException)
            {
                throw TokenizerJsonFormat.Bad(path, $"line {lineNumber}: \"{line[..space]}\" is not base64");
            }
            if (bytes.Length == 0) throw TokenizerJsonFormat.Bad(path, $"line {lineNumber}: the token is empty");
            if (builder.AddToken(rank, bytes) is { } error) throw TokenizerJsonFormat.Bad(path, $"line {lineNumber}: {error}");
        }
        if (builder.TokenCount == 0) throw TokenizerJsonFormat.Bad(path, "no tokens (is it empty?)");
        builder.AddEverySplitAsMerge();

        var known = KnownLayout(builder.TokenCount);
        foreach (var (text, id) in specialTokens ?? known?.Specials ?? new Dictionary<string, int>())
            if (builder.AddSpecial(text, id) is { } error) throw new ArgumentException($"Special token '{text}': {error}.", nameof(specialTokens));
        try
        {
            return builder.Build(known?.Name ?? Path.GetFileNameWithoutExtension(path), pattern ?? known?.Pattern ?? SplitPatterns.Gpt2);
        }
        catch (ArgumentException ex)
        {
            throw TokenizerJsonFormat.Bad(path, ex.Message);
        }
    }

    /// <summary>True when the first line looks like "BASE64 NUMBER".</summary>
    public static bool LooksLikeTiktoken(string firstLine)
    {
        int space = firstLine.IndexOf(' ');
        return space > 0 && firstLine.AsSpan(space + 1).IndexOfAnyExcept("0123456789") < 0 && space + 1 < firstLine.Length;
    }

    /// <summary>Writes <paramref name="tokenizer"/>'s regular tokens as a rank file (ids as ranks).</summary>
    public static void Save(BpeTokenizer tokenizer, string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true);
        for (int id = 0; id < tokenizer.VocabSize; id++)
            if (!tokenizer.IsSpecial(id) && !tokenizer.TokenBytes(id).IsEmpty)
            {
                if (tokenizer.TokenBytes(id).Length > MaxTokenBytes)
                    throw new ArgumentException($"{path}: token {id} has {tokenizer.TokenBytes(id).Length} bytes; a tiktoken line holds at most {MaxTokenBytes}.", nameof(tokenizer));
                writer.Write($"{Convert.ToBase64String(tokenizer.TokenBytes(id))} {id}\n");
            }
    });

    private sealed record Layout(string Name, string Pattern, Dictionary<string, int> Specials);

    private static Layout? KnownLayout(int tokenCount) => tokenCount switch
    {
        50256 => new("gpt2", SplitPatterns.Gpt2, new() { ["<|endoftext|>"] = 50256 }),
        100256 => new("cl100k_base", SplitPatterns.Gpt4, new()
        {
            ["<|endoftext|>"] = 100257, ["<|fim_prefix|>"] = 100258, ["<|fim_middle|>"] = 100259,
            ["<|fim_suffix|>"] = 100260, ["<|endofprompt|>"] = 100276,
        }),
        _ => null,
    };
}
