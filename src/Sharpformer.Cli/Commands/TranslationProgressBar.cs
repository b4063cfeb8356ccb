using System.Diagnostics;
using System.Globalization;

namespace Sharpformer.Cli.Commands;

/// <summary>
/// Progress of `translate` on standard error: on a terminal a bar rewritten in place,
/// <c>[########............]  412/1,000 sentences | 37.2 sentences/s | ETA 00:00:16</c>; where the error stream is
/// redirected (only when asked for) the same text as a line every 10%. Standard output never sees it.
/// </summary>
internal sealed class TranslationProgressBar
{
    private const int Width = 20;
    private readonly TextWriter _output;
    private readonly int _total;
    private readonly bool _live;
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _lastTenth = -1;

    /// <param name="output">Where the bar goes (standard error).</param>
    /// <param name="total">Sentences to translate.</param>
    /// <param name="live">Rewrite one line in place (a terminal) rather than print a line every 10%.</param>
    public TranslationProgressBar(TextWriter output, int total, bool live)
    {
        _output = output;
        _total = total;
        _live = live;
    }

    /// <summary>Sentences per second since the bar was made.</summary>
    public double Rate(int done) => done / Math.Max(1e-9, Stopwatch.GetElapsedTime(_started).TotalSeconds);

    public void Report(int done)
    {
        string line = Line(done, _total, Rate(done));
        if (_live) _output.Write("\r" + line);
        else if (done * 10 / Math.Max(1, _total) is var tenth && tenth != _lastTenth)
        {
            _lastTenth = tenth;
            _output.WriteLine(line);
        }
        _output.Flush();
    }

    /// <summary>Ends the bar: clears the live line and says how many sentences went how fast.</summary>
    public void Finish(int done)
    {
        if (_live) _output.Write("\r" + new string(' ', 100) + "\r");
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"translated {done:N0} sentences in {Stopwatch.GetElapsedTime(_started).TotalSeconds:F1} s ({Rate(done):F1} sentences/s)"));
    }

    /// <summary>The bar's text for <paramref name="done"/> of <paramref name="total"/> at <paramref name="rate"/> sentences/s.</summary>
    internal static string Line(int done, int total, double rate)
    {
        int filled = total == 0 ? Width : (int)((long)done * Width / total);
        var eta = rate > 0 ? TimeSpan.FromSeconds(Math.Round((total - done) / rate)) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', Width - filled)}] {done:N0}/{total:N0} sentences | {rate:F1} sentences/s | ETA {eta:hh\\:mm\\:ss}");
    }
}
