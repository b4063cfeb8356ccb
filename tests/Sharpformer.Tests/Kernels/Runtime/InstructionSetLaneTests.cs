using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Sharpformer.Kernels;

namespace Sharpformer.Tests.Kernels;

/// <summary>
/// Each CI lane forces an instruction set with the runtime knobs and names it in
/// <c>SHARPFORMER_EXPECT_SIMD</c> (avx512, avx2, avx, sse, neon, scalar, or best); this test fails when the
/// kernels' vector width is another one, so a lane whose knob did not reach the test process, or a
/// <see cref="Simd"/> that picks the wrong width, cannot pass silently. Unset or "best": the widest set the
/// instruction flags of this process allow.
/// </summary>
public class InstructionSetLaneTests(ITestOutputHelper output)
{
    public const string Variable = "SHARPFORMER_EXPECT_SIMD";

    private static readonly string[] Names = ["avx512", "avx2", "avx", "sse", "neon", "scalar"];

    [Fact]
    public void KernelsRunTheLanesInstructionSet()
    {
        string? lane = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant();
        string expected = string.IsNullOrEmpty(lane) || lane == "best" ? FromInstructionFlags() : lane;
        Assert.True(Names.Contains(expected), $"{Variable}={lane}: expected one of {string.Join(", ", Names)} or best.");
        string actual = Simd.Describe(Simd.Best);
        output.WriteLine($"{Variable}={lane ?? "(unset)"}; expected {expected}; kernels run {actual} ({KernelRuntime.Describe()}); {Flags()}");
        Assert.True(expected == actual,
            $"Kernels run {actual} (Simd.Best = {Simd.Best}), but this lane expects {expected}" +
            $"{(string.IsNullOrEmpty(lane) || lane == "best" ? " (from the instruction flags)" : $" ({Variable}={lane})")}; {Flags()}.");
    }

    [Fact]
    public void TheInstructionFlagsAgreeWithTheMachinesBest()
    {
        // Without a lane variable, Simd.Best must be the widest set the flags allow; with one, this still holds.
        Assert.Equal(FromInstructionFlags(), Simd.Describe(Simd.Best));
    }

    /// <summary>
    /// The widest instruction set, from the IsSupported flags (which the runtime knobs turn off), not from
    /// <see cref="Simd"/>. AVX-512 also needs the runtime to accelerate Vector512: it declines on CPUs that
    /// slow their clocks for 512-bit work and under <c>DOTNET_PreferredVectorBitWidth=256</c>, and kernels
    /// then run AVX2 by design.
    /// </summary>
    private static string FromInstructionFlags()
    {
        if (AdvSimd.IsSupported) return "neon";
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated) return "avx512";
        if (Avx2.IsSupported) return Fma.IsSupported ? "avx2" : "avx";
        if (Sse2.IsSupported) return "sse";
        return "scalar";
    }

    private static string Flags() =>
        $"Avx512F={Avx512F.IsSupported} Vector512={Vector512.IsHardwareAccelerated} Avx2={Avx2.IsSupported} Fma={Fma.IsSupported} " +
        $"Sse2={Sse2.IsSupported} AdvSimd={AdvSimd.IsSupported} Vector256={Vector256.IsHardwareAccelerated} Vector128={Vector128.IsHardwareAccelerated}";
}
