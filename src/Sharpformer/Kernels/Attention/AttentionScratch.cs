using System.Runtime.CompilerServices;

namespace Sharpformer.Kernels;

/// <summary>
/// A growable, pinned, 64-byte aligned float buffer. Attention kernels keep a few per thread (thread-static)
/// so that calls after the first allocate nothing, and aligned rows keep vector loads on one cache line.
/// </summary>
internal sealed unsafe class AttentionScratch
{
    private readonly AttentionScratchCounter _counter;
    private float[] _array = [];
    private float* _aligned;
    private int _capacity;

    public AttentionScratch(AttentionScratchCounter counter) => _counter = counter;

    /// <summary>A pointer to at least <paramref name="count"/> floats (contents undefined).</summary>
    public float* Get(long count)
    {
        if (count > int.MaxValue - 16) throw new ArgumentException($"Attention scratch of {count} floats is too large.", nameof(count));
        if (count > _capacity)
        {
            _counter.Add(4L * ((int)count - _capacity));
            _array = GC.AllocateUninitializedArray<float>((int)count + 16, pinned: true);
            float* p = (float*)Unsafe.AsPointer(ref _array[0]);
            _aligned = (float*)(((nint)p + 63) & ~(nint)63);
            _capacity = (int)count;
        }
        return _aligned;
    }

    /// <summary>Floats held now (0 before first use); benchmarks report it as kernel scratch memory.</summary>
    public long Capacity => _capacity;
}

/// <summary>Bytes held by a family of attention scratch buffers (all threads), so benchmarks can report a kernel's memory.</summary>
internal sealed class AttentionScratchCounter
{
    private long _bytes;

    /// <summary>Bytes held now; scratch grows to the largest shape seen, then stays.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}
