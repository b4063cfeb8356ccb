using System.Globalization;

namespace Sharpformer.Tensors;

/// <summary>
/// What a load may ask of the machine: loaders estimate the bytes they are about to allocate and refuse, with the
/// estimate in the message, when it exceeds the memory the runtime may use
/// (<see cref="GC.GetGCMemoryInfo()"/>.TotalAvailableMemoryBytes: physical memory or the container's limit).
/// </summary>
internal static class MemoryBudget
{
    /// <summary>Bytes the garbage-collected heap may use on this machine.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> "<paramref name="what"/> needs about X GB (<paramref name="how"/>),
    /// more than the Y GB this machine has" when <paramref name="bytes"/> exceeds <see cref="AvailableBytes"/>.
    /// </summary>
    public static void Require(long bytes, string what, string how)
    {
        long available = AvailableBytes;
        if (bytes > available)
            throw new InvalidDataException($"{what} needs about {Format(bytes)} ({how}), more than the {Format(available)} this machine has.");
    }

    /// <summary>Bytes in the largest fitting unit: "812 bytes", "3.4 MB", "160.2 GB" (powers of 1000).</summary>
    public static string Format(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1) { value /= 1000; unit++; }
        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
