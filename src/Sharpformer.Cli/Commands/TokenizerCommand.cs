using System.CommandLine;
using System.Text;
using Sharpformer.Data;
using Sharpformer.Tokenization;

namespace Sharpformer.Cli.Commands;

/// <summary>`sharpformer tokenizer train|encode|decode|stats`: byte-level BPE from the command line.</summary>
internal static class TokenizerCommand
{
    public static Command Create()
    {
        var command = new Command("tokenizer", "Train a byte-level BPE tokenizer, encode and decode text, measure a tokenizer on a file.");
        command.Subcommands.Add(TokenizerTrainCommand.Create());
        command.Subcommands.Add(CreateEncode());
        command.Subcommands.Add(CreateDecode());
        command.Subcommands.Add(TokenizerStatsCommand.Create());
        return command;
    }

    /// <summary>The project's JSON file, a folder with GPT-2's encoder.json + vocab.bpe, or a tiktoken file.</summary>
    internal static Option<string> TokenizerOption() => new("--tokenizer")
    {
        Description = "Tokenizer: the project's JSON file, a folder holding GPT-2's encoder.json + vocab.bpe, or a tiktoken file",
        Required = true,
    };

    internal static Option<string?> InputOption(string description) => new("--input") { Description = description };

    /// <summary>All of FILE, or of standard input when no file is given, as strict UTF-8 (invalid bytes are an error naming the offset).</summary>
    internal static string ReadAll(string? path)
    {
        if (path != null)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"Input file not found: {path}", path);
            return TextFiles.ReadAllText(path, "--input");
        }
        return TextFiles.ReadAllText(Console.OpenStandardInput(), "standard input");
    }

    private static Command CreateEncode()
    {
        var tokenizerPath = TokenizerOption();
        var input = InputOption("Read the text from FILE instead of standard input");
        var show = new Option<bool>("--show") { Description = "Print the text with token boundaries marked by '|' instead of the ids" };
        var command = new Command("encode", "Read all of standard input as one text and print its token ids on one line, space-separated.");
        command.Options.Add(tokenizerPath);
        command.Options.Add(input);
        command.Options.Add(show);
        command.SetAction(parse =>
        {
            var tokenizer = BpeTokenizer.Load(parse.GetValue(tokenizerPath)!);
            var ids = tokenizer.Encode(ReadAll(parse.GetValue(input)));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(parse.GetValue(show) ? MarkBoundaries(tokenizer, ids) : string.Join(' ', ids));
            return 0;
        });
        return command;
    }

    private static Command CreateDecode()
    {
        var tokenizerPath = TokenizerOption();
        var input = InputOption("Read the ids from FILE instead of standard input");
        var command = new Command("decode", "Read token ids (separated by white space) from standard input and print their text.");
        command.Options.Add(tokenizerPath);
        command.Options.Add(input);
        command.SetAction(parse =>
        {
            var tokenizer = BpeTokenizer.Load(parse.GetValue(tokenizerPath)!);
            var path = parse.GetValue(input);
            var ids = ParseIds(ReadAll(path), path ?? "standard input");
            parse.InvocationConfiguration.Output.Write(tokenizer.Decode(ids));
            return 0;
        });
        return command;
    }

    internal static int[] ParseIds(string text, string source)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!int.TryParse(words[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ids[i]))
                throw new ArgumentException($"{source}: item {i + 1} \"{words[i]}\" is not a token id (a non-negative integer).");
        return ids;
    }

    /// <summary>
    /// The text with '|' between tokens. Tokens that end inside a multi-byte character are shown with
    /// the tokens that complete it, so every segment is whole text.
    /// </summary>
    internal static string MarkBoundaries(BpeTokenizer tokenizer, ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        var pending = new List<byte>();
        for (int i = 0; i < ids.Length; i++)
        {
            pending.AddRange(tokenizer.TokenBytes(ids[i]));
            if (i + 1 < ids.Length && EndsMidCharacter(pending)) continue;
            if (sb.Length > 0) sb.Append('|');
            sb.Append(Encoding.UTF8.GetString(pending.ToArray()));
            pending.Clear();
        }
        return sb.ToString();
    }

    /// <summary>True when the last UTF-8 lead byte announces more continuation bytes than follow it.</summary>
    private static bool EndsMidCharacter(List<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(4, bytes.Count); back++)
        {
            byte b = bytes[^back];
            if ((b & 0xC0) == 0x80) continue; // continuation byte: keep looking for the lead
            int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back;
        }
        return false;
    }
}
