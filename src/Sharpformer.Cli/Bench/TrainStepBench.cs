using System.CommandLine;
using Sharpformer.Autograd;
using Sharpformer.Kernels;
using Sharpformer.Models;
using Sharpformer.Tensors;
using Sharpformer.Training;
using Sharpformer.Cli.Commands;

namespace Sharpformer.Cli.Bench;

/// <summary>
/// `bench train-step`: tokens/s of one training step (forward, backward, AdamW) on a fixed random batch,
/// after warm-up, as the libtorch peer measures it (dropout 0, no biases, vocabulary 65): the median of
/// block medians, garbage collections per step and the process's peak resident memory.
/// </summary>
internal static class TrainStepBench
{
    /// <summary>The peer's cases: each preset with the batch size it measures.</summary>
    private static readonly (string Preset, int Batch)[] PeerCases = [("shakespeare-cpu", 12), ("shakespeare", 8)];

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Preset to measure (default: shakespeare-cpu batch 12 and shakespeare batch 8)" };
        var batch = SharedOptions.BatchSizeOverride("Sequences per step (default: the peer's for the preset)");
        var blocks = new Option<int>("--blocks") { Description = "Blocks of 10 measured steps", DefaultValueFactory = _ => 3 };
        var cmd = new Command("train-step", "Tokens/s of forward+backward+AdamW for a GPT preset.") { config, batch, blocks };
        cmd.SetAction(parse =>
        {
            var report = new BenchReport(parse.InvocationConfiguration.Output, parse.GetValue(BenchCommand.Json));
            var cases = PeerCases;
            if (parse.GetValue(config) is string preset)
            {
                int defaultBatch = PeerCases.Where(c => c.Preset == preset).Select(c => c.Batch).DefaultIfEmpty(GptPresets.Get(preset).Training.Batch).First();
                cases = [(preset, parse.GetValue(batch) ?? defaultBatch)];
            }
            foreach (var (name, b) in cases) Measure(report, name, b, parse.GetValue(blocks));
            return 0;
        });
        return cmd;
    }

    private static void Measure(BenchReport report, string presetName, int batch, int blocks)
    {
        var preset = GptPresets.Get(presetName);
        var config = preset.Config(65) with { Dropout = 0f, Bias = false };
        var model = new Gpt(config, seed: 1337);
        int t = config.BlockSize, tokens = batch * t;
        var rng = new Rng(1);
        var inputs = Enumerable.Range(0, tokens).Select(_ => rng.NextInt(65)).ToArray();
        var targets = Enumerable.Range(0, tokens).Select(_ => rng.NextInt(65)).ToArray();
        var optimizer = new AdamWOptimizer(model.NamedParameters(), 0.9f, 0.95f, 1e-8f, 0.1f);
        var tape = new Tape();
        void Step()
        {
            tape.Backward(model.Loss(tape, inputs, targets, batch, t));
            tape.Reset();
            optimizer.Update(1e-3f);
            model.ZeroGrad();
        }
        Stopwatches.WarmUp(Step, minSeconds: 2, minRuns: 3);
        int gc0 = GC.CollectionCount(0), gc2 = GC.CollectionCount(2);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var medians = new List<double>();
        for (int block = 0; block < blocks; block++) medians.Add(Stopwatches.Median(Stopwatches.Time(Step, 10, warmups: 0)));
        int steps = 10 * blocks;
        double seconds = Stopwatches.Median(medians);
        var extra = new Dictionary<string, object>
        {
            ["ms_per_step"] = seconds * 1000,
            ["gc0_per_step"] = (GC.CollectionCount(0) - gc0) / (double)steps,
            ["gc2_per_step"] = (GC.CollectionCount(2) - gc2) / (double)steps,
            ["alloc_kb_per_step"] = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / steps,
            ["params"] = model.ParameterCount(),
            ["peak_rss_mb"] = ResidentMemory.PeakBytes / 1e6,
        };
        report.Add("train-step", $"{presetName} batch={batch} threads={Parallelism.ThreadCount}", tokens / seconds, "tokens/s", extra);
    }
}
