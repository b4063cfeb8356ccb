using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// The data caches of the core a kernel runs on, as the GEMM's blocking needs them: L1d size and ways, L2
/// size, and the L3 size. Read once, from the first source that answers: Linux sysfs, x86 CPUID (leaf 4 on
/// Intel, 0x8000001D on AMD), macOS sysctl; otherwise a safe default (32 KiB 8-way, 512 KiB, 8 MiB), the
/// smallest of the CPUs .NET commonly runs on, so that blocks sized from it never overflow a real cache.
/// </summary>
internal sealed record CacheInfo(int L1Bytes, int L1Ways, int L2Bytes, int L3Bytes, string Source)
{
    public const int LineBytes = 64;

    public static CacheInfo Default { get; } = new(32 << 10, 8, 512 << 10, 8 << 20, "default");

    /// <summary>The caches of this machine.</summary>
    public static CacheInfo Machine { get; } = Detect();

    /// <summary>Sets of the L1 data cache.</summary>
    public int L1Sets => Math.Max(1, L1Bytes / (LineBytes * Math.Max(1, L1Ways)));

    public override string ToString() =>
        $"L1d {L1Bytes >> 10} KiB {L1Ways}-way, L2 {L2Bytes >> 10} KiB, L3 {L3Bytes >> 20} MiB ({Source})";

    private static CacheInfo Detect()
    {
        try
        {
            return FromSysfs("/sys/devices/system/cpu/cpu0/cache") ?? FromCpuid() ?? FromSysctl() ?? Default;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or DllNotFoundException or EntryPointNotFoundException)
        {
            return Default;
        }
    }

    /// <summary>Linux: one indexN folder per cache with level, type, size ("32K") and ways_of_associativity.</summary>
    internal static CacheInfo? FromSysfs(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        int l1 = 0, l1Ways = 0, l2 = 0, l3 = 0;
        foreach (string index in Directory.GetDirectories(folder, "index*"))
        {
            string type = ReadOrEmpty(index, "type");
            if (type != "Data" && type != "Unified") continue;
            if (!int.TryParse(ReadOrEmpty(index, "level"), CultureInfo.InvariantCulture, out int level)) continue;
            int size = ParseSize(ReadOrEmpty(index, "size"));
            int.TryParse(ReadOrEmpty(index, "ways_of_associativity"), CultureInfo.InvariantCulture, out int ways);
            switch (level)
            {
                case 1: (l1, l1Ways) = (size, ways); break;
                case 2: l2 = size; break;
                case 3: l3 = size; break;
            }
        }
        return l1 > 0 && l2 > 0 ? Complete(l1, l1Ways, l2, l3, "sysfs") : null;
    }

    private static string ReadOrEmpty(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
    }

    /// <summary>"32K", "1024K", "32M" or a plain byte count; 0 when unreadable.</summary>
    internal static int ParseSize(string text)
    {
        if (text.Length == 0) return 0;
        long scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1 << 10, 'M' => 1 << 20, 'G' => 1 << 30, _ => 1 };
        string digits = scale == 1 ? text : text[..^1];
        return long.TryParse(digits, CultureInfo.InvariantCulture, out long value) ? (int)Math.Min(int.MaxValue, value * scale) : 0;
    }

    /// <summary>x86: the deterministic cache parameters leaf, one sub-leaf per cache.</summary>
    private static CacheInfo? FromCpuid()
    {
        if (!X86Base.IsSupported) return null;
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        var (_, vendorB, _, _) = X86Base.CpuId(0, 0);
        bool amd = vendorB == 0x68747541; // "Auth" of AuthenticAMD
        int leaf = amd ? unchecked((int)0x8000001D) : 4;
        if (amd && (uint)maxExtended < 0x8000001D) return null;
        int l1 = 0, l1Ways = 0, l2 = 0, l3 = 0;
        for (int sub = 0; sub < 16; sub++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, sub);
            int type = eax & 0x1F;
            if (type == 0) break;
            if (type == 2) continue; // instruction cache
            int level = (eax >> 5) & 0x7;
            int ways = ((ebx >> 22) & 0x3FF) + 1, partitions = ((ebx >> 12) & 0x3FF) + 1, line = (ebx & 0xFFF) + 1;
            long size = (long)ways * partitions * line * ((long)ecx + 1);
            int bytes = (int)Math.Min(int.MaxValue, size);
            switch (level)
            {
                case 1: (l1, l1Ways) = (bytes, ways); break;
                case 2: l2 = bytes; break;
                case 3: l3 = bytes; break;
            }
        }
        return l1 > 0 && l2 > 0 ? Complete(l1, l1Ways, l2, l3, "cpuid") : null;
    }

    /// <summary>macOS: hw.l1dcachesize, hw.l2cachesize and hw.l3cachesize (absent on Apple Silicon, whose L2 is shared).</summary>
    private static CacheInfo? FromSysctl()
    {
        if (!OperatingSystem.IsMacOS()) return null;
        long l1 = Sysctl("hw.l1dcachesize"), l2 = Sysctl("hw.l2cachesize"), l3 = Sysctl("hw.l3cachesize");
        if (l1 <= 0 || l2 <= 0) return null;
        return Complete((int)l1, 8, (int)Math.Min(int.MaxValue, l2), (int)Math.Min(int.MaxValue, Math.Max(l3, 0)), "sysctl");
    }

    private static unsafe long Sysctl(string name)
    {
        long value = 0;
        nuint size = sizeof(long);
        return sysctlbyname(name, &value, &size, null, 0) == 0 ? value : 0;
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern unsafe int sysctlbyname(string name, void* value, nuint* size, void* newValue, nuint newSize);

    // Missing ways or L3 fall back to the default's: an 8-way L1 and an L3 no larger than the L2 makes blocks
    // smaller, never larger, than the real caches allow.
    private static CacheInfo Complete(int l1, int l1Ways, int l2, int l3, string source) =>
        new(l1, l1Ways > 0 ? l1Ways : Default.L1Ways, l2, l3 > 0 ? l3 : l2, source);
}
