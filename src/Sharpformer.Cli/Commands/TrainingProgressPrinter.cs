using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// One live progress line (step, loss, tokens/s, ms/step, ETA) rewritten in place on a terminal, or printed
/// every few percent when the output is redirected; evaluations always get their own line.
/// </summary>
internal sealed class TrainingProgressPrinter(TextWriter output)
{
    private readonly bool _live = !Console.IsErrorRedirected;
    private int _lastPrintedPercent = -1;

    public void Report(TrainingEvent e)
    {
        if (e.ValLoss is float val)
        {
            ClearLine();
            output.WriteLine($"step {e.Step,6}/{e.TotalSteps}: train loss {e.TrainLoss:F4}, val loss {val:F4}{(e.IsBest ? " (best)" : "")}, lr {e.LearningRate:G3}, {e.Elapsed:hh\\:mm\\:ss}");
            return;
        }
        int done = e.Step;
        double remaining = e.TokensPerSecond > 0 ? (e.TotalSteps - done) * e.MsPerStep / 1000 : 0;
        string line = $"step {done,6}/{e.TotalSteps} loss {e.Loss:F4} | {e.TokensPerSecond,8:N0} tok/s | {e.MsPerStep,7:F1} ms/step | ETA {TimeSpan.FromSeconds(remaining):hh\\:mm\\:ss}";
        if (_live) output.Write("\r" + line);
        else
        {
            int percent = 100 * done / Math.Max(1, e.TotalSteps);
            if (percent / 5 == _lastPrintedPercent / 5) return;
            _lastPrintedPercent = percent;
            output.WriteLine(line);
        }
    }

    public void Finish() => ClearLine();

    private void ClearLine()
    {
        if (_live) output.Write("\r" + new string(' ', 100) + "\r");
    }
}
