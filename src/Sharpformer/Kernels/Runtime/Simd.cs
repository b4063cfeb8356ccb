using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>The vector widths a kernel has a path for, in bits (Scalar: no vectors).</summary>
public enum SimdWidth   // public: test theories take it as a parameter
{
    /// <summary>No vector instructions.</summary>
    Scalar = 0,
    /// <summary>Vector128 (SSE, AdvSimd).</summary>
    V128 = 128,
    /// <summary>Vector256 (AVX2).</summary>
    V256 = 256,
    /// <summary>Vector512 (AVX-512).</summary>
    V512 = 512,
}

/// <summary>
/// Which vector widths this process runs in hardware, decided once at start-up from what the JIT
/// accelerates (so the runtime knobs <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c> and
/// <c>DOTNET_PreferredVectorBitWidth</c> choose the path). A kernel picks <see cref="Best"/> once per call and
/// runs the path for that width; internal overloads take the width, so tests run every path in one process.
/// A wider <c>Vector512</c>/<c>Vector256</c> that is not accelerated is emulated in software (correct, slow):
/// kernels never run it.
/// </summary>
internal static class Simd
{
    /// <summary>The widest accelerated width: Vector512 on AVX-512, Vector256 on AVX2, Vector128 on ARM64 and SSE-only x86.</summary>
    public static SimdWidth Best { get; } = Widest();

    /// <summary>Every width this process runs in hardware, widest first, ending with Scalar.</summary>
    public static IReadOnlyList<SimdWidth> Accelerated { get; } =
        [.. new[] { SimdWidth.V512, SimdWidth.V256, SimdWidth.V128, SimdWidth.Scalar }.Where(IsAccelerated)];

    /// <summary>True when vectors of <paramref name="width"/> run in hardware here (Scalar always does).</summary>
    public static bool IsAccelerated(SimdWidth width) => width switch
    {
        SimdWidth.V512 => Vector512.IsHardwareAccelerated,
        SimdWidth.V256 => Vector256.IsHardwareAccelerated,
        SimdWidth.V128 => Vector128.IsHardwareAccelerated,
        SimdWidth.Scalar => true,
        _ => false,
    };

    /// <summary>
    /// Throws unless <paramref name="width"/> is accelerated here: a forced path that would run emulated
    /// vectors is a mistake in the caller, not a slow success.
    /// </summary>
    public static void Require(SimdWidth width)
    {
        if (!IsAccelerated(width))
            throw new ArgumentException($"Vector width {width} is not hardware-accelerated on this machine (best: {Best}).", nameof(width));
    }

    /// <summary>A short name for tables and logs: "avx512", "avx2", "neon", "sse", "scalar".</summary>
    public static string Describe(SimdWidth width) => width switch
    {
        SimdWidth.V512 => "avx512",
        SimdWidth.V256 => Fma.IsSupported ? "avx2" : "avx",
        SimdWidth.V128 => System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "neon" : "sse",
        _ => "scalar",
    };

    /// <summary>Fetches the line holding <paramref name="address"/> into every cache level; does nothing off x86. Never faults.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch(void* address)
    {
        if (Sse.IsSupported) Sse.Prefetch0(address);
    }

    private static SimdWidth Widest()
    {
        if (Vector512.IsHardwareAccelerated) return SimdWidth.V512;
        if (Vector256.IsHardwareAccelerated) return SimdWidth.V256;
        if (Vector128.IsHardwareAccelerated) return SimdWidth.V128;
        return SimdWidth.Scalar;
    }
}
