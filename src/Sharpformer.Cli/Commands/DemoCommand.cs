using System.CommandLine;
using System.Diagnostics;
using Sharpformer.Data.EnRu;
using Sharpformer.Evaluation;
using Sharpformer.Generation;
using Sharpformer.Inspection;
using Sharpformer.Tensors;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer demo`: the whole story in one command — generate the built-in English→Russian corpus,
/// learn a BPE vocabulary, train a small translator, score it on held-out sentences, translate the showcase
/// sentences and draw where the decoder looked.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Where the model and the heat map go", DefaultValueFactory = _ => "runs/demo" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Training time budget in seconds (default: the demo preset's)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed for the corpus, initialisation and batches", DefaultValueFactory = _ => 1 };
        var cmd = new Command("demo", "Train an English→Russian translator on the built-in corpus and show it working.") { output, timeLimit, seed };
        cmd.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(timeLimit), parse.GetValue(seed)));
        return cmd;
    }

    private static int Run(string outDir, double? timeLimit, ulong seed)
    {
        var clock = Stopwatch.StartNew();
        var err = Console.Error;
        var corpus = EnRuCorpusGenerator.Generate(new EnRuCorpusOptions { Seed = seed });
        err.WriteLine($"1. corpus: {corpus.Train.Count:N0} training pairs, {corpus.Valid.Count:N0} validation and {corpus.Test.Count:N0} test pairs " +
            "(test pairs combine words in ways training never shows)");
        err.WriteLine($"   e.g. {corpus.Train[0].Source}  →  {corpus.Train[0].Target}");

        var preset = TranslationPresets.Get("demo");
        var options = preset.Training with { TimeLimitSeconds = timeLimit ?? preset.Training.TimeLimitSeconds, Seed = seed };
        err.WriteLine("2. vocabulary and model");
        var trainer = TrainTranslationCommand.Build(preset, options, corpus.Train, corpus.Valid, preset.BpeVocabSize, separateVocabularies: false);
        err.WriteLine($"3. training for up to {options.TimeLimitSeconds:F0} s");
        TrainTranslationCommand.Train(trainer, outDir, err);

        var (model, source, target) = TranslatorCheckpoint.Load(Path.Combine(outDir, "best"));
        var beam = new BeamSearchOptions(Beam: 4);
        var hyps = TranslationTrainer.Translate(model, source, target, corpus.Test.Select(p => p.Source).ToList(), beam);
        var refs = corpus.Test.Select(p => p.Target).ToList();
        var bleu = Bleu.Corpus(hyps, refs);
        Console.WriteLine($"Held-out test BLEU (beam 4): {bleu.Score:F2}   chrF2: {ChrF.Corpus(hyps, refs).Score:F2}   ({refs.Count} sentences)");

        var showcase = EnRuShowcase.Clauses().Select(c => c.ToPair()).ToList();
        var translated = TranslationTrainer.Translate(model, source, target, showcase.Select(p => p.Source).ToList(), beam);
        Console.WriteLine("Sentences the model never saw:");
        for (int i = 0; i < showcase.Count; i++)
            Console.WriteLine($"  {showcase[i].Source}\n    → {translated[i]}{(translated[i] == showcase[i].Target ? "" : $"   (reference: {showcase[i].Target})")}");

        var first = showcase[0];
        var map = CrossAttentionMap.Compute(model, source, target, source.Encode(first.Source), target.Encode(translated[0]));
        var svgPath = Path.Combine(outDir, "cross-attention.svg");
        AtomicFile.WriteAllText(svgPath, AttentionHeatmap.Svg(map.Weights, map.TargetTokens, map.SourceTokens,
            $"Cross-attention (last decoder layer, mean of heads): {first.Source}"));
        Console.WriteLine($"Attention heat map: {Path.GetFullPath(svgPath)}");
        Console.WriteLine($"Model: {Path.GetFullPath(Path.Combine(outDir, "best"))}  (try: echo \"Masha hit Petya with a stick.\" | sharpformer translate --model {outDir})");
        err.WriteLine($"done in {clock.Elapsed:mm\\:ss}");
        return 0;
    }
}
