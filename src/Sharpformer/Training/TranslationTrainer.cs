using System.Diagnostics;
using System.Text.Json;
using Sharpformer.Autograd;
using Sharpformer.Data;
using Sharpformer.Evaluation;
using Sharpformer.Generation;
using Sharpformer.Models;
using Sharpformer.Tensors;

namespace Sharpformer.Training;

/// <summary>
/// What the translation trainer reports: a step, or an evaluation on the validation set. <see cref="Progress"/>
/// is the share of the budget used (max of steps and time, see <see cref="TrainingBudget"/>).
/// </summary>
internal sealed record TranslationEvent(int Step, int TotalSteps, float Loss, float LearningRate, double TokensPerSecond, TimeSpan Elapsed,
    float? ValLoss = null, double? Bleu = null, double? ChrF = null, bool IsBest = false, double Progress = double.NaN);

/// <summary>
/// Trains a translator: epochs of length-bucketed batches under a token budget, label-smoothed
/// cross-entropy, AdamW with warm-up and a cosine or inverse-square-root schedule, clipping, and at each
/// evaluation the validation loss and the BLEU of decoded validation sentences. Keeps the checkpoint with
/// the best BLEU (outDir/best) and a resumable one (outDir/last). With a time limit the schedule follows the
/// budget (<see cref="TrainingBudget"/>), and the training time is part of the resumable state.
/// </summary>
internal sealed class TranslationTrainer
{
    public Translator Model { get; }
    public TranslationVocabulary Source { get; }
    public TranslationVocabulary Target { get; }
    public TranslationTrainingOptions Options { get; }
    public AdamWOptimizer Optimizer { get; }
    public int Step => Optimizer.Step;
    public double BestBleu { get; private set; } = double.NegativeInfinity;

    /// <summary>The clock the time limit is measured by (<see cref="TrainingTimer"/>); the wall clock unless a test sets another.</summary>
    public Func<TimeSpan> Clock { get; set; } = TrainingTimer.WallClock;

    /// <summary>Training time spent, resumed runs included: what the time limit counts.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Which bound ended the last <see cref="Run"/>.</summary>
    public StopReason? StoppedBy { get; private set; }

    /// <summary>Seconds in training steps and target tokens trained by the last <see cref="Run"/> (evaluations excluded).</summary>
    public double TrainSeconds { get; private set; }
    public long TrainTokens { get; private set; }

    public TrainingBudget Budget { get; }

    /// <summary>The share of the budget used: max(step / max_steps, elapsed / time_limit_s).</summary>
    public double Progress => Budget.Progress(Step, Elapsed);

    /// <summary>The learning rate of the next step: the schedule at the budget's position.</summary>
    public float LearningRate => _schedule.At(Budget.ScheduleStep(Step, Elapsed));

    private readonly List<(int[] Source, int[] Target)> _train;
    private readonly List<(int[] Source, int[] Target)> _valid;
    private readonly ParallelReferences _validReferences; // each distinct source once, all its translations
    private readonly ILearningRateSchedule _schedule;
    private readonly Rng _epochRng, _dropoutRng;
    private ulong[] _epochStart;
    private List<int[]> _batches = [];
    private int _epoch, _batchInEpoch;

    public TranslationTrainer(Translator model, TranslationVocabulary source, TranslationVocabulary target,
        IReadOnlyList<SentencePair> train, IReadOnlyList<SentencePair> valid, TranslationTrainingOptions options)
    {
        Model = model;
        Source = source;
        Target = target;
        Options = options.Validated();
        _schedule = options.CreateSchedule();
        Budget = options.Budget();
        int limit = Math.Min(options.MaxSentenceTokens, model.Config.MaxLength - 1);
        _train = Encode(train).Where(p => p.Source.Length is > 0 && p.Source.Length <= limit && p.Target.Length <= limit).ToList();
        if (_train.Count == 0) throw new ArgumentException($"No training pair has both sides within {limit} tokens.");
        var validPairs = valid.Where(p => Source.Encode(p.Source).Length <= limit && Target.Encode(p.Target).Length <= limit).ToList();
        _valid = Encode(validPairs);
        _validReferences = ParallelReferences.Group(validPairs);
        // Shuffling draws from its own stream: Rng(seed) itself initialised the weights.
        _epochRng = Rng.SecondStream(options.Seed);
        _dropoutRng = new Rng(options.Seed ^ 0xD0D0_D0D0UL);
        Optimizer = new AdamWOptimizer(model.NamedParameters(), options.Beta1, options.Beta2, 1e-9f, options.WeightDecay);
        _epochStart = _epochRng.GetState();
        NewEpoch();
    }

    /// <summary>Training pairs kept by the length filter.</summary>
    public int TrainPairs => _train.Count;

    private List<(int[] Source, int[] Target)> Encode(IEnumerable<SentencePair> pairs) =>
        pairs.Select(p => (Source.Encode(p.Source), Target.Encode(p.Target))).ToList();

    private void NewEpoch()
    {
        _epochStart = _epochRng.GetState();
        _batches = LengthBucketBatcher.CreateBatches(_train.Select(p => (p.Source.Length, p.Target.Length + 1)).ToList(), Options.BatchTokens, _epochRng);
        _batchInEpoch = 0;
    }

    /// <summary>Continues from a checkpoint written by <see cref="Run"/>; the data must be the same.</summary>
    public static TranslationTrainer Resume(string dir, IReadOnlyList<SentencePair> train, IReadOnlyList<SentencePair> valid)
    {
        dir = Checkpoint.Locate(dir);
        var (state, options) = CheckpointStates.ReadTranslation(dir);   // checked before the model is built
        var (model, source, target) = TranslatorCheckpoint.Load(dir);
        var trainer = new TranslationTrainer(model, source, target, train, valid, options);
        Checkpoint.LoadOptimizer(dir, trainer.Optimizer, state.Step);
        trainer._epochRng.SetState(state.EpochRngState);
        trainer.NewEpoch(); // regenerates the saved epoch's batches from its starting state
        if (state.BatchInEpoch > trainer._batches.Count)
            throw new InvalidDataException($"{Path.Combine(dir, Checkpoint.StateFile)}: BatchInEpoch is {state.BatchInEpoch}, but the epoch " +
                $"has {trainer._batches.Count} batches (is the training data the run's?).");
        trainer._epoch = state.Epoch;
        trainer._batchInEpoch = state.BatchInEpoch;
        trainer._dropoutRng.SetState(state.DropoutRngState);
        trainer.BestBleu = state.BestBleu;
        trainer.Elapsed = state.Elapsed;
        return trainer;
    }

    /// <summary>One optimizer step on the next batch; returns its loss and target token count.</summary>
    public (float Loss, int Tokens) TrainStep()
    {
        if (_batchInEpoch == _batches.Count) { _epoch++; NewEpoch(); }
        var batch = new TranslationBatch(_batches[_batchInEpoch++].Select(i => _train[i]).ToList(), Source, Target);
        using var tape = new Tape();
        var loss = batch.Loss(tape, Model, Options.LabelSmoothing, Model.Config.Dropout > 0 ? _dropoutRng : null);
        tape.Backward(loss);
        float value = loss.Value.Span[0];
        tape.Reset();
        Optimizer.ClipAndUpdate(Options.GradClip, LearningRate, value);
        return (value, batch.TargetTokens);
    }

    /// <summary>Teacher-forced validation loss (no label smoothing), averaged over target tokens.</summary>
    public float ValidationLoss()
    {
        if (_valid.Count == 0) return float.NaN;
        double sum = 0;
        long tokens = 0;
        using var tape = new Tape(recordGradients: false);
        foreach (var chunk in _valid.Chunk(64))
        {
            var batch = new TranslationBatch(chunk, Source, Target);
            int n = batch.TargetTokens;
            sum += batch.Loss(tape, Model, 0f).Value.Span[0] * (double)n;
            tokens += n;
            tape.Reset();
        }
        return (float)(sum / tokens);
    }

    /// <summary>
    /// Translates source sentences (batched beam search, <paramref name="batchSize"/> sentences of similar length at a
    /// time) into detokenized text, in input order; <paramref name="progress"/> hears the number translated so far
    /// after each batch.
    /// </summary>
    public static List<string> Translate(Translator model, TranslationVocabulary source, TranslationVocabulary target,
        IReadOnlyList<string> sentences, BeamSearchOptions options, int batchSize = 64, Action<int>? progress = null)
    {
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1, got {batchSize}.", nameof(batchSize));
        var search = new BeamSearch(model, source, target);
        // Sorting by length keeps padding low; results go back in input order.
        var order = Enumerable.Range(0, sentences.Count).OrderBy(i => sentences[i].Length).ToArray();
        var output = new string[sentences.Count];
        int done = 0;
        foreach (var chunk in order.Chunk(batchSize))
        {
            var ids = chunk.Select(i => TruncatedSource(model, source, sentences[i])).ToList();
            var translated = search.Translate(ids, options);
            for (int j = 0; j < chunk.Length; j++) output[chunk[j]] = target.Decode(translated[j]);
            progress?.Invoke(done += chunk.Length);
        }
        return [.. output];
    }

    private static int[] TruncatedSource(Translator model, TranslationVocabulary source, string sentence)
    {
        var ids = source.Encode(sentence);
        return ids.Length < model.Config.MaxLength ? ids : ids[..(model.Config.MaxLength - 1)];
    }

    /// <summary>
    /// BLEU and chrF2 of the first eval_sentences distinct validation sources, each scored against all of its
    /// translations in the validation set (multi-reference, as sacreBLEU scores several reference streams).
    /// </summary>
    public (double Bleu, double ChrF) ValidationBleu()
    {
        var all = _validReferences.Sources;
        int n = Options.EvalSentences == 0 ? all.Count : Math.Min(Options.EvalSentences, all.Count);
        if (n == 0) return (double.NaN, double.NaN);
        var hyps = Translate(Model, Source, Target, all.Take(n).ToList(), new BeamSearchOptions(Options.EvalBeam));
        var streams = _validReferences.ReferenceStreams.Select(stream => (IReadOnlyList<string?>)stream.Take(n).ToArray()).ToList();
        return (new Bleu().CorpusScore(hyps, streams).Score, new ChrF().CorpusScore(hyps, streams).Score);
    }

    /// <summary>
    /// Trains until the budget is spent (max_steps or time_limit_s) or, earlier, until <paramref name="untilStep"/>,
    /// evaluating every eval_interval steps and at the end; the last line of outDir/log.jsonl names the bound that
    /// ended training.
    /// </summary>
    public void Run(string? outDir, Action<TranslationEvent>? report = null, int? untilStep = null)
    {
        var timer = new TrainingTimer(Clock);
        timer.Start(Elapsed);
        (TrainSeconds, TrainTokens, StoppedBy) = (0, 0, null);
        while (true)
        {
            var stop = Budget.Spent(Step, Elapsed) ?? (untilStep is int until && Step >= until ? StopReason.Requested : null);
            if ((Step % Options.EvalInterval == 0 && Step > 0) || stop != null) Evaluate(outDir, report, stop);
            if (stop != null) { StoppedBy = stop; break; }
            float lr = LearningRate;
            long start = Stopwatch.GetTimestamp();
            var (loss, n) = TrainStep();
            TrainSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
            TrainTokens += n;
            Elapsed = timer.Lap();
            report?.Invoke(new TranslationEvent(Step, Options.Steps, loss, lr, TrainTokens / TrainSeconds, Elapsed, Progress: Progress));
        }
    }

    private void Evaluate(string? outDir, Action<TranslationEvent>? report, StopReason? stop)
    {
        // Decoding asks for other sizes than training: neither holds the other's idle buffers while it runs.
        TensorPool.Clear();
        float valLoss = ValidationLoss();
        if (_valid.Count > 0) NonFiniteTrainingException.ThrowIfEvaluationNonFinite(Step, "validation loss", valLoss);
        var (bleu, chrf) = ValidationBleu();
        TensorPool.Clear();
        bool best = bleu > BestBleu || (double.IsNaN(bleu) && BestBleu == double.NegativeInfinity);
        if (best) BestBleu = bleu;
        report?.Invoke(new TranslationEvent(Step, Options.Steps, valLoss, LearningRate, 0, Elapsed, valLoss, bleu, chrf, best, Progress));
        if (outDir == null) return;
        var state = new TranslationState(Step, _epoch, _batchInEpoch, _epochStart, _dropoutRng.GetState(), BestBleu, Options.ToJson(), Elapsed);
        if (best) TranslatorCheckpoint.Save(Path.Combine(outDir, "best"), Model, Source, Target, state: state);
        TranslatorCheckpoint.Save(Path.Combine(outDir, "last"), Model, Source, Target, Optimizer, state);
        var line = Checkpoint.LogLine(new TranslationLogLine(Step, valLoss, bleu, chrf, LearningRate, Math.Round(Elapsed.TotalSeconds, 2),
            Math.Round(Progress, 4), best, stop is StopReason r ? TrainingBudget.Name(r) : null, Math.Round(ResidentMemory.PeakBytes / 1e6)));
        File.AppendAllText(Path.Combine(outDir, "log.jsonl"), line + Environment.NewLine);
    }
}
