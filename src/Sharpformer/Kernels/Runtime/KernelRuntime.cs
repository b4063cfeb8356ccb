using Sharpformer.Tensors;

namespace Sharpformer.Kernels;

/// <summary>
/// The runtime context every kernel runs in, described and configured in one place. It has three parts:
/// <list type="bullet">
/// <item><b>Vector width</b> (<see cref="Simd.Best"/>): fixed when the process starts, from what the JIT
/// accelerates; the runtime knobs <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c> and
/// <c>DOTNET_PreferredVectorBitWidth</c> choose it. Nothing changes it later.</item>
/// <item><b>Threads</b> (<see cref="Parallelism"/>): a process default (all cores unless
/// <see cref="Configure"/> or <see cref="Parallelism.ThreadCount"/> sets it) and, over it, the
/// <see cref="Parallelism.UseThreads"/> scope of the calling flow; the CLI's <c>--threads</c> runs its
/// command in such a scope. Kernels read the count on the calling thread when they dispatch.</item>
/// <item><b>Buffers</b> (<see cref="TensorPool"/>): one pool for the process, shared by every thread and
/// flow, holding at most <see cref="TensorPool.MaxPooledBytes"/> of idle buffers.</item>
/// </list>
/// Results depend on the vector width and thread count only through fp32 summation order, where a kernel
/// documents it; the pool never changes a result.
/// </summary>
internal static class KernelRuntime
{
    /// <summary>
    /// Sets the process defaults: kernel threads for flows outside a <see cref="Parallelism.UseThreads"/>
    /// scope, and the most bytes the buffer pool keeps idle. A null leaves that part as it is.
    /// </summary>
    public static void Configure(int? threads = null, long? maxPooledBytes = null)
    {
        if (threads is < 1)
            throw new ArgumentException($"Thread count must be at least 1, got {threads}.", nameof(threads));
        if (maxPooledBytes is < 0)
            throw new ArgumentException($"The pool limit must be non-negative, got {maxPooledBytes} bytes.", nameof(maxPooledBytes));
        if (threads is int t) Parallelism.ThreadCount = t;
        if (maxPooledBytes is long bytes) TensorPool.MaxPooledBytes = bytes;
    }

    /// <summary>One line for logs and reports: <c>simd=avx512 threads=2 pool=0/4096 MiB</c> (idle / limit).</summary>
    public static string Describe() =>
        $"simd={Simd.Describe(Simd.Best)} threads={Parallelism.ThreadCount} " +
        $"pool={TensorPool.PooledBytes >> 20}/{TensorPool.MaxPooledBytes >> 20} MiB";
}
