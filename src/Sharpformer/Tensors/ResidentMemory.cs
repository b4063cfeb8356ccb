using System.Diagnostics;

namespace Sharpformer.Tensors;

/// <summary>
/// The process's resident memory as the operating system counts it (on Linux VmRSS and VmHWM of /proc/self/status),
/// for progress lines and benchmarks: what `/usr/bin/time -v` reports as the maximum resident set size.
/// </summary>
internal static class ResidentMemory
{
    /// <summary>Bytes resident now.</summary>
    public static long CurrentBytes => Environment.WorkingSet;

    /// <summary>The most bytes resident at any time since the process started.</summary>
    public static long PeakBytes
    {
        get
        {
            using var process = Process.GetCurrentProcess();
            return process.PeakWorkingSet64;
        }
    }

    /// <summary>The peak for people: "peak RSS 1.4 GB".</summary>
    public static string DescribePeak() => "peak RSS " + MemoryBudget.Format(PeakBytes);
}
