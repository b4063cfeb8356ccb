using System.Diagnostics;

namespace Sharpformer.Cli.Bench;

/// <summary>Timing helpers: medians of repeated runs, after a warm-up.</summary>
internal static class Stopwatches
{
    /// <summary>Runs <paramref name="action"/> once to warm up, then <paramref name="repeats"/> times; returns each run's seconds.</summary>
    public static double[] Time(Action action, int repeats, int warmups = 1)
    {
        for (int i = 0; i < warmups; i++) action();
        var seconds = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return seconds;
    }

    /// <summary>
    /// Runs <paramref name="action"/> at least <paramref name="minRuns"/> times and for at least
    /// <paramref name="minSeconds"/>: long enough for the JIT to have recompiled the hot methods at its top
    /// tier (it waits for call counts and for a pause in new compilations), so what follows measures the
    /// steady state that a long run sees rather than the first tier's code.
    /// </summary>
    public static void WarmUp(Action action, double minSeconds, int minRuns)
    {
        long start = Stopwatch.GetTimestamp();
        for (int runs = 0; runs < minRuns || Stopwatch.GetElapsedTime(start).TotalSeconds < minSeconds; runs++) action();
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
