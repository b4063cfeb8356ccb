using System.Runtime.CompilerServices;

namespace Sharpformer.Kernels;

/// <summary>
/// A growable, pinned, 64-byte aligned float buffer. Attention kernels keep a few per thread (thread-static)
/// so that calls after the first allocate nothing, and aligned rows keep vector loads on one cache line.
/// </summary>
internal sealed unsafe class AttentionScratch
{
    private float[] _array = [];
    private float* _aligned;
    private int _capacity;

    /// <summary>A pointer to at least <paramref name="count"/> floats (contents undefined).</summary>
    public float* Get(long count)
    {
        if (count > int.MaxValue - 16) throw new ArgumentException($"Attention scratch of {count} floats is too large.", nameof(count));
        if (count > _capacity)
        {
            Interlocked.Add(ref s_liveBytes, 4L * ((int)count - _capacity));
            _array = GC.AllocateUninitializedArray<float>((int)count + 16, pinned: true);
            float* p = (float*)Unsafe.AsPointer(ref _array[0]);
            _aligned = (float*)(((nint)p + 63) & ~(nint)63);
            _capacity = (int)count;
        }
        return _aligned;
    }

    private static long s_liveBytes;

    /// <summary>Bytes held by every attention scratch buffer of every thread.</summary>
    public static long LiveBytes => Interlocked.Read(ref s_liveBytes);

    /// <summary>Floats held now (0 before first use); benchmarks report it as kernel scratch memory.</summary>
    public long Capacity => _capacity;
}

/// <summary>Memory the attention kernels keep between calls (per-thread scratch), for benchmarks and diagnostics.</summary>
public static class AttentionMemory
{
    /// <summary>Bytes of scratch currently held by all threads; grows to the largest shape seen, then stays.</summary>
    public static long ScratchBytes => AttentionScratch.LiveBytes;
}
