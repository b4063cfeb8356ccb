using System.Diagnostics;
using Sharpformer.Cli;
using Sharpformer.Training;

namespace Sharpformer.Tests.Cli;

/// <summary>
/// Crash safety of `sharpformer train`: the CLI runs as a child process with a checkpoint every step and is killed with
/// SIGKILL at random moments, many of them inside checkpoint writes; after each kill the last checkpoint must load
/// (never half-written), must not be older than one seen before (never lost), and `--resume` must continue from it.
/// The run that is finally let finish ends at the right step with the weights of a run never interrupted, bit for bit.
/// </summary>
public sealed class TrainKillTests : IDisposable
{
    // Enough steps that 20 kills land before the run can finish: a run lives for 1 to 3 evaluations (a step each) and
    // 40 ms, but while other tests keep the cores busy this process sees the lines late and a run gets 10 steps or more
    // (on a fast CPU 17 on average: 300 steps were done after 18 kills).
    private const int Kills = 20, Steps = 1000;
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpformer-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] TrainArgs(string outDir, bool resume)
    {
        string[] args = ["train", "--data", Path.Combine(_dir, "corpus.txt"), "--out", outDir, "--threads", "1"];
        return resume ? [.. args, "--resume"] : [.. args, "--config", Path.Combine(_dir, "tiny.json")];
    }

    [Fact]
    public void KilledAtRandomMomentsTrainingResumesFromTheLastCompleteCheckpoint()
    {
        File.WriteAllText(Path.Combine(_dir, "corpus.txt"), string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 40)));
        // A checkpoint (best/ and last/) at every step: most of a run's time is spent writing them.
        File.WriteAllText(Path.Combine(_dir, "tiny.json"), $$"""
            {"n_layer": 1, "n_head": 2, "n_embd": 16, "block_size": 8, "max_iters": {{Steps}}, "batch_size": 2,
             "eval_interval": 1, "eval_iters": 1, "warmup_iters": 2, "seed": 7}
            """);
        var reference = Path.Combine(_dir, "straight");
        Assert.Equal(0, CliApp.Run(TrainArgs(reference, resume: false), TextWriter.Null, TextWriter.Null));

        var outDir = Path.Combine(_dir, "killed");
        var last = Path.Combine(outDir, "last");
        var random = new Random(12345);
        int kills = 0, resumes = 0, insideWrites = 0, highest = -1;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            bool resume = Checkpoint.TryLocate(last) != null;
            using var child = Start(TrainArgs(outDir, resume), out var evaluations);
            if (resume) resumes++;
            if (kills == Kills)
            {
                Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "the last run did not finish within 60 s");
                Assert.Equal(0, child.ExitCode);
                break;
            }
            // An evaluation line is printed just before that step's checkpoints are written: a kill a few
            // milliseconds after the first, second or third one lands in a write, between writes, or in a step.
            int target = random.Next(1, 4);
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref evaluations.Count) < target && !child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(1);
            Thread.Sleep(random.Next(0, 40));
            child.Kill();   // SIGKILL on Unix
            child.WaitForExit();
            if (child.ExitCode == 0) break;   // it finished before the kill landed
            kills++;
            if (Directory.Exists(last + Checkpoint.PartialSuffix) || Directory.Exists(last + Checkpoint.OldSuffix)
                || Directory.Exists(Path.Combine(outDir, "best" + Checkpoint.PartialSuffix))) insideWrites++;
            if (Checkpoint.TryLocate(last) is not string found) { Assert.Equal(-1, highest); continue; }
            int step = CheckpointStates.ReadGpt(found).State.Step;
            GptCheckpoint.Load(found);
            Assert.True(step >= highest, $"kill {kills}: last/ went back from step {highest} to {step}");
            highest = step;
        }
        var figures = $"kills {kills}, resumes {resumes}, kills inside a checkpoint write {insideWrites}, checkpoints lost 0, {clock.Elapsed.TotalSeconds:F1} s";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        Assert.Equal(Kills, kills);
        Assert.True(insideWrites > 0, figures);
        Assert.Equal(Steps, CheckpointStates.ReadGpt(last).State.Step);
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "last", Checkpoint.ModelFile)), File.ReadAllBytes(Path.Combine(last, Checkpoint.ModelFile)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "last", Checkpoint.OptimizerFile)), File.ReadAllBytes(Path.Combine(last, Checkpoint.OptimizerFile)));
    }

    /// <summary>Counts the evaluation lines ("… val loss …") a child has printed on stderr.</summary>
    private sealed class LineCount { public int Count; }

    /// <summary>Starts the CLI (the sharpformer.dll beside the tests) as a child, counting its evaluation lines.</summary>
    private static Process Start(string[] args, out LineCount evaluations)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sharpformer.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var count = new LineCount();
        var child = new Process { StartInfo = info };
        child.ErrorDataReceived += (_, e) => { if (e.Data?.Contains("val loss", StringComparison.Ordinal) == true) Interlocked.Increment(ref count.Count); };
        child.OutputDataReceived += (_, _) => { };
        child.Start();
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        evaluations = count;
        return child;
    }
}
