using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Sharpformer.Attention;
using Sharpformer.Autograd;
using Sharpformer.Inspection;
using Sharpformer.Tensors;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer attention-error`: how far each approximate attention variant lands from exact attention on
/// the activations a trained GPT produces on its own validation text, layer by layer.
/// </summary>
internal static class AttentionErrorCommand
{
    /// <summary>One row of the table (one JSON object per line with --json): means over the sampled windows of one variant and layer.</summary>
    internal sealed record Row(string Variant, string Reference, int Layer, [property: JsonPropertyName("T")] int T, int Samples, double OutputError,
        double MassMean, double MassP5, double DqError, double DkError, double DvError);

    public static Command Create()
    {
        var model = SharedOptions.Model("Checkpoint folder (or a training output folder) of a GPT with full or flash attention");
        var allowNonFinite = SharedOptions.AllowNonFinite();
        var data = SharedOptions.Data("The text file the model was trained on");
        var variants = new Option<string>("--variants") { Description = "Comma-separated variants to compare with exact attention", DefaultValueFactory = _ => "window:128,topk:2:1,topk:2:1:bound,lsh" };
        var samples = new Option<int>("--samples") { Description = "Validation windows of block_size tokens to average over", DefaultValueFactory = _ => 4 };
        var seed = SharedOptions.Seed("Seed for the window positions and the upstream gradient", 1);
        var reference = new Option<string?>("--reference") { Description = "Compare with this variant instead of exact attention (e.g. lsh:2:512:1, shared-key attention in one chunk)" };
        var json = SharedOptions.Json("one JSON object per row, a line each,");
        var cmd = new Command("attention-error", "Output, softmax-mass and gradient error of approximate attention on a trained model's activations.")
            { model, data, variants, reference, samples, seed, json, allowNonFinite };
        cmd.SetAction(parse =>
        {
            int count = parse.GetValue(samples);
            if (count < 1) throw new ArgumentException($"--samples must be at least 1, got {count}.");
            var chosen = ParseVariants(parse.GetValue(variants)!, "--variants");
            var baseline = parse.GetValue(reference) is { } name ? ParseVariants(name, "--reference").Single() : null;
            var dir = ModelDirectory.Resolve(parse.GetValue(model)!);
            var (gpt, tokenizer) = GptCheckpoint.Load(dir, parse.GetValue(allowNonFinite));
            var options = ModelDirectory.TrainingOptions(dir);
            var val = new TokenBatches(tokenizer.Encode(CorpusTokens.ReadText(parse.GetValue(data)!)), options.TrainFraction, gpt.Config.BlockSize).Validation;
            int time = Math.Min(gpt.Config.BlockSize, val.Length);

            var rng = new Rng(parse.GetValue(seed));
            var results = new List<AttentionApproximation.Result>();
            for (int s = 0; s < count; s++)
            {
                int start = rng.NextInt(val.Length - time + 1);
                using var tape = new Tape(recordGradients: false) { AttentionInputs = [] };
                gpt.Forward(tape, val.AsSpan(start, time), 1, time);
                if (tape.AttentionInputs.Count == 0)
                    throw new ArgumentException($"--model {dir}: its attention is '{gpt.Config.Attention}'; the comparison needs a model trained with full or flash attention.");
                for (int layer = 0; layer < tape.AttentionInputs.Count; layer++)
                    foreach (var variant in chosen)
                        results.Add(AttentionApproximation.Compare(variant, tape.AttentionInputs[layer], layer, seed: (ulong)(s + 1), baseline));
            }
            Print(results, time, count, baseline?.Name ?? "exact attention", CommandOutput.Of(parse));
            return 0;
        });
        return cmd;
    }

    private static List<IAttentionVariant> ParseVariants(string text, string option)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"{option}: name at least one attention variant.");
        if (option == "--reference" && names.Length > 1) throw new ArgumentException($"--reference: name one attention variant, got {names.Length}.");
        return names.Select(name =>
        {
            try { return AttentionVariants.Create(name); }
            catch (ArgumentException e) { throw new ArgumentException($"{option}: {CliApp.PlainMessage(e)}"); }
        }).ToList();
    }

    // Means over the sampled windows, per (variant, layer).
    private static void Print(List<AttentionApproximation.Result> results, int time, int samples, string reference, CommandOutput io)
    {
        var rows = results.GroupBy(r => (r.Variant, r.Call)).Select(g => new Row(g.Key.Variant, reference, g.Key.Call, time, samples,
            g.Average(r => r.OutputError), g.Average(r => r.MeanMass), g.Average(r => r.LowMass),
            g.Average(r => r.QueryGradError), g.Average(r => r.KeyGradError), g.Average(r => r.ValueGradError))).ToList();
        if (io.Json)
        {
            foreach (var row in rows) io.WriteJson(row, CliJson.Default.AttentionErrorRow);
            return;
        }
        var output = io.Result;
        output.WriteLine($"relative errors against {reference}, T = {time}, mean of {samples} validation windows");
        output.WriteLine($"{"variant",-18} {"layer",5} {"output",8} {"mass",7} {"mass p5",8} {"dQ",8} {"dK",8} {"dV",8}");
        foreach (var r in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Variant,-18} {r.Layer,5} {r.OutputError,8:F4} {Mass(r.MassMean),7} {Mass(r.MassP5),8} {r.DqError,8:F4} {r.DkError,8:F4} {r.DvError,8:F4}"));
        output.WriteLine("mass: share of each row's exact softmax mass in the scores computed (– where the kernel keeps no log-sum-exp).");
    }

    private static string Mass(double value) => double.IsNaN(value) ? "–" : value.ToString("F4", CultureInfo.InvariantCulture);
}
