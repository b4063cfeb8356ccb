using System.Globalization;
using Sharpformer.Tensors;
using Sharpformer.Training;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// A live progress line for translation training: loss, target tokens/s, the process's peak resident memory, the
/// share of the budget used (max of steps and time, <see cref="TrainingBudget"/>) and an ETA from it; evaluations
/// get a line of their own.
/// </summary>
/// <param name="output">Where the lines go (the command's progress writer).</param>
/// <param name="live">It is a terminal: rewrite one line in place.</param>
internal sealed class TranslationProgressPrinter(TextWriter output, bool live)
{
    private int _lastPrinted = -1;

    public void Report(TranslationEvent e)
    {
        if (e.Bleu is double bleu)
        {
            Clear();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {e.Step,6}: val loss {e.ValLoss:F4}, BLEU {bleu:F2}, chrF2 {e.ChrF:F2}{(e.IsBest ? " (best)" : "")}, lr {e.LearningRate:G3}, {100 * e.Progress:F0}% of the budget, {e.Elapsed:hh\\:mm\\:ss}"));
            return;
        }
        double done = double.IsNaN(e.Progress) ? e.Step / (double)Math.Max(1, e.TotalSteps) : e.Progress;
        var eta = done > 0 ? TimeSpan.FromSeconds(e.Elapsed.TotalSeconds * (1 - done) / done) : TimeSpan.Zero;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"step {e.Step,6} loss {e.Loss:F4} lr {e.LearningRate:G3} | {e.TokensPerSecond,7:N0} target tok/s | {ResidentMemory.DescribePeak()} | {100 * done,5:F1}% | ETA {eta:hh\\:mm\\:ss}");
        if (live) output.Write("\r" + line);
        else if ((int)(done * 20) != _lastPrinted)
        {
            _lastPrinted = (int)(done * 20);
            output.WriteLine(line);
        }
    }

    public void Clear()
    {
        if (live) output.Write("\r" + new string(' ', 120) + "\r");
    }
}
