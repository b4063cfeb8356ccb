using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Sharpformer.Kernels;

/// <summary>
/// The widths the attention kernels are written with, once, as generic code over <typeparamref name="TV"/>: the
/// vector operations of <see cref="IVectorWidth{TV}"/> plus the register tile of the tile products.
/// </summary>
internal interface IAttentionWidth<TV> : IVectorWidth<TV> where TV : struct
{
    /// <summary>
    /// Register tile of the tile products (<see cref="AttentionTileGemm"/>): TileRows rows of C by TileVectors
    /// vectors, sized so that the TileRows·TileVectors accumulators, TileVectors vectors of B and one
    /// broadcast of A fit the register file without spills.
    /// </summary>
    static abstract int TileRows { get; }

    /// <inheritdoc cref="TileRows"/>
    static abstract int TileVectors { get; }
}

/// <summary>AVX-512: 32 zmm registers hold a 4 × 4-vector tile (16 accumulators, 4 of B, 1 broadcast: 21).</summary>
internal partial struct Width512 : IAttentionWidth<Vector512<float>>
{
    public static int TileRows => 4;
    public static int TileVectors => 4;
}

/// <summary>AVX2: 16 ymm registers hold a 6 × 2-vector tile (12 accumulators, 2 of B, 1 broadcast: 15), BLIS's Haswell shape.</summary>
internal partial struct Width256 : IAttentionWidth<Vector256<float>>
{
    public static int TileRows => 6;
    public static int TileVectors => 2;
}

/// <summary>
/// On ARM64 32 q registers hold a 6 × 4-vector tile (24 accumulators, 4 of B, 1 broadcast: 29, KleidiAI's 6×16);
/// x86 has 16 xmm registers, so there the tile is 6 × 2 (15 live).
/// </summary>
internal partial struct Width128 : IAttentionWidth<Vector128<float>>
{
    public static int TileRows => 6;
    public static int TileVectors => AdvSimd.IsSupported ? 4 : 2;
}

/// <summary>x64 has 16 xmm registers for scalars, so the tile is 6 × 2 (15 live).</summary>
internal partial struct WidthScalar : IAttentionWidth<float>
{
    public static int TileRows => 6;
    public static int TileVectors => 2;
}
