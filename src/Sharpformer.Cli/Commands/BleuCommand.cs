using System.CommandLine;
using System.Text;
using System.Text.Json;
using Sharpformer.Data;
using Sharpformer.Evaluation;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer bleu [--input FILE] --reference FILE [--reference FILE …]`: corpus BLEU and chrF2 of a translation, computed as
/// sacreBLEU does (docs/bleu.md). Prints sacreBLEU's lines with signatures, or one JSON object with --json.
/// </summary>
internal static class BleuCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Command Create()
    {
        var hyp = SharedOptions.Input("Hypotheses, one translated segment a line, from this file instead of stdin");
        var refs = new Option<string[]>("--reference")
        {
            Description = "References, aligned with the hypotheses; repeat for several reference sets",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var tokenize = new Option<string>("--tokenize") { Description = "BLEU tokenizer: 13a, none, intl or char", DefaultValueFactory = _ => "13a" };
        var lowercase = new Option<bool>("--lowercase") { Description = "Lowercase before scoring (BLEU and chrF)" };
        var wordOrder = new Option<int>("--chrf-word-order") { Description = "Word n-gram order of chrF (2 gives chrF++)", DefaultValueFactory = _ => 0 };
        var json = SharedOptions.Json("one JSON object (bleu, chrf, bp, sys_len, ref_len, precisions, …)");

        var command = new Command("bleu", "Score a translation with corpus BLEU and chrF2, exactly as sacreBLEU computes them.");
        foreach (var option in new Option[] { hyp, refs, tokenize, lowercase, wordOrder, json }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            string hypPath = parse.GetValue(hyp) ?? "standard input";
            string[] refPaths = parse.GetValue(refs) ?? [];
            var hypotheses = parse.GetValue(hyp) is string path
                ? ReadLines(path)
                : TextFiles.ReadAllLines(Console.OpenStandardInput(), hypPath).ToArray();
            var references = new List<IReadOnlyList<string?>>();
            foreach (var refPath in refPaths)
            {
                var lines = ReadLines(refPath);
                if (lines.Length != hypotheses.Length)
                    throw new InvalidDataException($"{hypPath} has {hypotheses.Length} lines but {refPath} has {lines.Length}; hypotheses and references must be aligned line by line.");
                references.Add(lines);
            }

            bool lower = parse.GetValue(lowercase);
            var bleu = new Bleu(new BleuOptions { Tokenizer = BleuTokenizer.Parse(parse.GetValue(tokenize)!), Lowercase = lower })
                .CorpusScore(hypotheses, references);
            var chrf = new ChrF(new ChrFOptions { Lowercase = lower, WordOrder = parse.GetValue(wordOrder) })
                .CorpusScore(hypotheses, references);

            var output = parse.InvocationConfiguration.Output;
            if (CommandOutput.Of(parse).Json) output.WriteLine(ToJson(bleu, chrf));
            else
            {
                output.WriteLine(bleu.Format(withSignature: true));
                output.WriteLine(chrf.Format(withSignature: true));
            }
            return 0;
        });
        return command;
    }

    private static string[] ReadLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"File not found: {path}", path);
        try { return File.ReadAllLines(path, StrictUtf8); }
        catch (DecoderFallbackException ex) { throw new InvalidDataException($"{path} is not valid UTF-8 ({ex.Message}).", ex); }
    }

    private static string ToJson(BleuScore bleu, ChrFScore chrf)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("bleu", bleu.Score);
            w.WriteNumber("chrf", chrf.Score);
            w.WriteNumber("bp", bleu.BrevityPenalty);
            w.WriteNumber("sys_len", bleu.SysLen);
            w.WriteNumber("ref_len", bleu.RefLen);
            w.WriteStartArray("precisions");
            foreach (var p in bleu.Precisions) w.WriteNumberValue(p);
            w.WriteEndArray();
            w.WriteStartArray("counts");
            foreach (var c in bleu.Counts) w.WriteNumberValue(c);
            w.WriteEndArray();
            w.WriteStartArray("totals");
            foreach (var t in bleu.Totals) w.WriteNumberValue(t);
            w.WriteEndArray();
            w.WriteString("bleu_signature", bleu.Signature);
            w.WriteString("chrf_name", chrf.Name);
            w.WriteString("chrf_signature", chrf.Signature);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
