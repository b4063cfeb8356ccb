using System.Globalization;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// One live progress line (step, loss, tokens/s, ms/step, share of the budget used, ETA) rewritten in place on
/// a terminal, or printed every 5% of the budget when the output is redirected; evaluations always get their
/// own line. The share is the trainer's (max of steps and time, <see cref="TrainingBudget"/>), so the ETA holds
/// for a run that the time limit will end.
/// </summary>
/// <param name="output">Where the lines go (the command's progress writer).</param>
/// <param name="live">It is a terminal: rewrite one line in place.</param>
internal sealed class TrainingProgressPrinter(TextWriter output, bool live)
{
    private int _lastPrinted = -1;

    public void Report(TrainingEvent e)
    {
        if (e.ValLoss is float val)
        {
            ClearLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {e.Step,6}/{e.TotalSteps}: train loss {e.TrainLoss:F4}, val loss {val:F4}{(e.IsBest ? " (best)" : "")}, lr {e.LearningRate:G3}, {e.Elapsed:hh\\:mm\\:ss}"));
            return;
        }
        double done = double.IsNaN(e.Progress) ? e.Step / (double)Math.Max(1, e.TotalSteps) : e.Progress;
        var eta = done > 0 ? TimeSpan.FromSeconds(e.Elapsed.TotalSeconds * (1 - done) / done) : TimeSpan.Zero;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"step {e.Step,6}/{e.TotalSteps} loss {e.Loss:F4} lr {e.LearningRate:G3} | {e.TokensPerSecond,8:N0} tok/s | {e.MsPerStep,7:F1} ms/step | {100 * done,5:F1}% | ETA {eta:hh\\:mm\\:ss}");
        if (live) output.Write("\r" + line);
        else if ((int)(done * 20) != _lastPrinted)
        {
            _lastPrinted = (int)(done * 20);
            output.WriteLine(line);
        }
    }

    public void Finish() => ClearLine();

    private void ClearLine()
    {
        if (live) output.Write("\r" + new string(' ', 120) + "\r");
    }
}
