namespace Sharpformer.Kernels;

/// <summary>
/// What the GEMM runs on this machine: the instruction set of its micro-kernel, the register tile (MR×NR) and
/// the largest cache blocks, sized from <see cref="Caches"/>. Benchmarks print it beside their figures.
/// </summary>
internal sealed record GemmPathInfo(string Isa, int MR, int NR, int KcMax, int KcMaxTransposedA, int NcMax, CacheInfo Caches)
{
    internal static GemmPathInfo Of(GemmBlocking blocking) =>
        new(Simd.Describe(blocking.Width), blocking.MR, blocking.NR, blocking.KcMax, blocking.KcMaxKMajor, blocking.NcMax, CacheInfo.Machine);

    public override string ToString() =>
        $"{Isa}: {MR}×{NR} tile, KC {KcMax} ({KcMaxTransposedA} with A transposed), NC {NcMax}; {Caches}";
}
