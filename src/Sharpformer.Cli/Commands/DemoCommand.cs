using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sharpformer.Data;
using Sharpformer.Data.EnRu;
using Sharpformer.Evaluation;
using Sharpformer.Generation;
using Sharpformer.Inspection;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Tokenization;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// `sharpformer demo`: the whole story in one command — generate the built-in English→Russian corpus,
/// learn a BPE vocabulary, train a small translator, score it on held-out sentences, translate the showcase
/// sentences and draw where the decoder looked.
/// <para>
/// It fits any machine: the <c>demo</c> recipe (a 1+1-layer model, small batches) trains up to 6,000 steps or
/// the time budget, whichever comes first, with warm-up and decay laid out over the budget
/// (<see cref="TrainingBudget"/>), so a slow machine trains a shorter but complete schedule and ends annealed,
/// and one that makes the 6,000 steps in time trains the plain schedule (but for its first steps, which the JIT
/// slows enough to put the time briefly ahead). It warns when the first tenth of the budget shows that fewer
/// steps will fit than the recipe needs. <c>--steps N</c> instead trains a fixed amount of work without a time
/// limit: the same seed and thread count give the same bits.
/// </para>
/// </summary>
internal static class DemoCommand
{
    /// <summary>Training time budget by default: with the corpus, the vocabulary and the decoding the demo takes under 5 minutes.</summary>
    public const double DefaultTimeLimitSeconds = 240;

    /// <summary>The models the demo can train.</summary>
    public static readonly string[] Sizes = ["demo", "demo-large"];

    /// <summary>What `demo --json` prints: the held-out scores, the showcase and where the outputs went.</summary>
    internal sealed record Result(string Config, int Steps, string StoppedBy, double TargetTokensPerSecond, double TestBleu, double TestChrF, int TestSentences,
        IReadOnlyList<ShowcaseLine> Showcase, string Heatmap, string Model, double Seconds);

    /// <summary>One showcase sentence, its translation and the reference.</summary>
    internal sealed record ShowcaseLine(string Source, string Translation, string Reference);

    public static Command Create()
    {
        var output = SharedOptions.Out("Where the model and the heat map go", "runs/demo");
        var timeLimit = SharedOptions.TimeLimitOverride($"Training time budget in seconds (default {DefaultTimeLimitSeconds:0}); the schedule fits the budget");
        var steps = SharedOptions.StepsOverride("Train exactly this many steps instead, without a time limit (a fixed, reproducible amount of work)");
        var config = SharedOptions.Config("Model: demo (1+1 layers, width 64; fits any machine) or demo-large (2+2 layers, width 128; needs about 2,000 steps, a fast machine)", "demo");
        var seed = SharedOptions.Seed("Seed for the corpus, initialisation and batches", 1);
        var defaults = new EnRuCorpusOptions();
        var count = new Option<int>("--count") { Description = "Training pairs of the generated corpus", DefaultValueFactory = _ => defaults.TrainCount };
        var heldOut = new Option<int>("--held-out") { Description = "Validation and test pairs each", DefaultValueFactory = _ => defaults.TestCount };
        var json = SharedOptions.Json();
        var quiet = SharedOptions.Quiet();
        var cmd = new Command("demo", "Train an English→Russian translator on the built-in corpus and show it working.")
            { output, timeLimit, steps, config, seed, count, heldOut, json, quiet };
        cmd.SetAction(parse =>
        {
            int? fixedSteps = parse.GetValue(steps);
            double? limit = parse.GetValue(timeLimit);
            if (fixedSteps is < 1) throw new ArgumentException($"--steps must be at least 1, got {fixedSteps}.");
            if (limit is not null && !(limit > 0)) throw new ArgumentException($"--time-limit must be a positive number of seconds, got {limit}.");
            if (fixedSteps is not null && limit is not null) throw new ArgumentException("--steps and --time-limit exclude each other: --steps trains a fixed amount of work, without a time limit.");
            string presetName = parse.GetValue(config)!;
            if (!Sizes.Contains(presetName)) throw new ArgumentException($"--config must be {string.Join(" or ", Sizes)}, got '{presetName}'.");
            var corpusOptions = new EnRuCorpusOptions
            {
                Seed = parse.GetValue(seed), TrainCount = parse.GetValue(count), ValidCount = parse.GetValue(heldOut), TestCount = parse.GetValue(heldOut),
            };
            if (corpusOptions.TrainCount < 1 || corpusOptions.TestCount < 1)
                throw new ArgumentException($"--count and --held-out must be at least 1, got {corpusOptions.TrainCount} and {corpusOptions.TestCount}.");
            return Run(parse.GetValue(output)!, corpusOptions, presetName, fixedSteps, limit ?? DefaultTimeLimitSeconds, CommandOutput.Of(parse));
        });
        return cmd;
    }

    private static int Run(string outDir, EnRuCorpusOptions corpusOptions, string presetName, int? fixedSteps, double timeLimit, CommandOutput io)
    {
        var log = io.Progress;
        var clock = Stopwatch.StartNew();
        ulong seed = corpusOptions.Seed;
        var corpus = EnRuCorpusGenerator.Generate(corpusOptions);
        int unseenForms = UnseenWordForms(corpus);
        log.WriteLine($"1. corpus: {corpus.Train.Count:N0} training pairs, {corpus.Valid.Count:N0} validation and {corpus.Test.Count:N0} test pairs " +
            "(each held-out pair has a verb–instrument, subject–object or adjective–noun pairing that training never shows; " +
            (unseenForms == 0 ? "every word form in them occurs in training)" : $"{unseenForms} of their word forms do not occur in training)"));
        log.WriteLine($"   e.g. {corpus.Train[0].Source}  →  {corpus.Train[0].Target}");

        var preset = TranslationPresets.Get(presetName);
        var started = Stopwatch.StartNew();
        var vocabulary = new TranslationVocabulary(VocabularyTraining.TrainBpe(corpus.Train.SelectMany(p => new[] { p.Source, p.Target }), preset.BpeVocabSize));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"2. vocabulary: {vocabulary.Tokenizer.Name} (shared) in {started.Elapsed.TotalSeconds:F1} s"));

        var options = fixedSteps is int n
            ? preset.Training with { Steps = n, TimeLimitSeconds = 0, WarmupSteps = Math.Min(preset.Training.WarmupSteps, n / 10), EvalInterval = Math.Min(preset.Training.EvalInterval, n) }
            : preset.Training with { TimeLimitSeconds = timeLimit };
        options = options with { Seed = seed };
        var model = new Translator(preset.Config(vocabulary.Size), seed);
        var trainer = new TranslationTrainer(model, vocabulary, vocabulary, corpus.Train, corpus.Valid, options);
        log.WriteLine($"   {preset.Name}: {model.ParameterCount():N0} parameters, {model.Config.EncoderLayers}+{model.Config.DecoderLayers} layers, " +
            $"width {model.Config.Embedding}, {model.Config.Heads} heads; {options.Budget()}");
        log.WriteLine("3. training");
        bool warned = false;
        TrainTranslationCommand.Train(trainer, outDir, log, io.ProgressIsLive, e =>
        {
            // A tenth into a time-bound run, the steps made say how many will fit.
            if (warned || e.Bleu is not null || fixedSteps is not null || e.Progress < 0.1 || e.Progress <= e.Step / (double)e.TotalSteps) return;
            warned = true;
            int fit = (int)(e.Step / e.Progress);
            if (fit < preset.StepsNeeded)
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   note: about {fit:N0} steps fit in {timeLimit:0} s on this machine, fewer than the {preset.StepsNeeded:N0} this recipe wants for BLEU 95; " +
                    $"training still ends annealed, and --time-limit {Math.Ceiling(timeLimit * preset.StepsNeeded / Math.Max(1, fit) / 10) * 10:0} would make the steps"));
        });

        var bestDir = Path.Combine(outDir, "best");
        var (best, source, target) = TranslatorCheckpoint.Load(bestDir);
        var beam = new BeamSearchOptions(Beam: 4);
        var hyps = TranslationTrainer.Translate(best, source, target, corpus.Test.Select(p => p.Source).ToList(), beam);
        var refs = corpus.Test.Select(p => p.Target).ToList();
        var bleu = Bleu.Corpus(hyps, refs);
        var chrf = ChrF.Corpus(hyps, refs);

        var showcase = EnRuShowcase.Clauses().Select(c => c.ToPair()).ToList();
        var translated = TranslationTrainer.Translate(best, source, target, showcase.Select(p => p.Source).ToList(), beam);
        var first = showcase[0];
        var map = CrossAttentionMap.Compute(best, source, target, source.Encode(first.Source), target.Encode(translated[0]));
        var svgPath = Path.GetFullPath(Path.Combine(outDir, "cross-attention.svg"));
        AtomicFile.WriteAllText(svgPath, AttentionHeatmap.Svg(map.Weights, map.TargetTokens, map.SourceTokens,
            $"Cross-attention (last decoder layer, mean of heads): {first.Source}"));
        double tokensPerSecond = trainer.TrainTokens / Math.Max(1e-9, trainer.TrainSeconds);
        string stoppedBy = TrainingBudget.Name(trainer.StoppedBy!.Value);
        if (io.Json)
        {
            io.WriteJson(new Result(preset.Name, trainer.Step, stoppedBy, Math.Round(tokensPerSecond), Math.Round(bleu.Score, 2), Math.Round(chrf.Score, 2), refs.Count,
                showcase.Select((p, i) => new ShowcaseLine(p.Source, translated[i], p.Target)).ToList(), svgPath, Path.GetFullPath(bestDir),
                Math.Round(clock.Elapsed.TotalSeconds, 1)), CliJson.Default.DemoResult);
            return 0;
        }
        var output = io.Result;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Held-out test BLEU (beam 4): {bleu.Score:F2}   chrF2: {chrf.Score:F2}   ({refs.Count} sentences)"));
        output.WriteLine("Sentences the model never saw:");
        for (int i = 0; i < showcase.Count; i++)
            output.WriteLine($"  {showcase[i].Source}\n    → {translated[i]}{(translated[i] == showcase[i].Target ? "" : $"   (reference: {showcase[i].Target})")}");
        output.WriteLine($"Attention heat map: {svgPath}");
        output.WriteLine($"Model: {Path.GetFullPath(bestDir)}  (try: echo \"Masha hit Petya with a stick.\" | sharpformer translate --model {outDir})");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Summary: {preset.Name} model, {trainer.Step:N0} steps ({stoppedBy} ended training) at " +
            $"{tokensPerSecond:N0} target tokens/s, test BLEU {bleu.Score:F2}, {clock.Elapsed:mm\\:ss} in all"));
        return 0;
    }

    /// <summary>Distinct word forms (either language, lower-cased) of the validation and test pairs that no training pair has.</summary>
    private static int UnseenWordForms(EnRuCorpus corpus)
    {
        static IEnumerable<string> Words(SentencePair p) =>
            (p.Source + " " + p.Target).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.TrimEnd('.').ToLowerInvariant());
        var seen = corpus.Train.SelectMany(Words).ToHashSet();
        return corpus.Valid.Concat(corpus.Test).SelectMany(Words).Where(w => !seen.Contains(w)).Distinct().Count();
    }
}
