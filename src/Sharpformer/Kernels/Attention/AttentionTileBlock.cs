using System.Runtime.CompilerServices;

namespace Sharpformer.Kernels;

/// <summary>A count known when the JIT compiles a generic kernel: it folds <c>if (T.Value &gt; 2)</c> away.</summary>
internal interface ITileCount
{
    static abstract int Value { get; }
}

internal struct Count1 : ITileCount { public static int Value => 1; }
internal struct Count2 : ITileCount { public static int Value => 2; }
internal struct Count3 : ITileCount { public static int Value => 3; }
internal struct Count4 : ITileCount { public static int Value => 4; }
internal struct Count5 : ITileCount { public static int Value => 5; }
internal struct Count6 : ITileCount { public static int Value => 6; }

/// <summary>
/// The register block of <see cref="AttentionTileGemm"/>: C (TR rows × TN vectors) = A (TR × depth) · B (depth ×
/// TN vectors), at most 6 × 4 accumulators. The JIT compiles one copy per (width, TR, TN) with the rows and
/// vectors past TR and TN folded away, so each copy keeps exactly TR·TN accumulators in registers.
/// </summary>
internal static unsafe class AttentionTileBlock
{
    /// <summary>
    /// A(r, p) = a[r·ars + p·ads]; B(p, v) = b[p·ldb + v·Lanes …]; C(r, v) = c[r·ldc + v·Lanes …].
    /// accumulate: C = diag(scale)·C + A·B (scale null: 1); otherwise C = A·B.
    /// </summary>
    public static void Multiply<TW, TV, TR, TN>(int depth, float* a, nint ars, nint ads, float* b, nint ldb, float* c, nint ldc,
        bool accumulate, float* scale)
        where TW : struct, IAttentionWidth<TV> where TV : struct where TR : struct, ITileCount where TN : struct, ITileCount
    {
        nint lanes = TW.Lanes;
        TV x00 = default, x01 = default, x02 = default, x03 = default, x10 = default, x11 = default, x12 = default, x13 = default;
        TV x20 = default, x21 = default, x22 = default, x23 = default, x30 = default, x31 = default, x32 = default, x33 = default;
        TV x40 = default, x41 = default, x42 = default, x43 = default, x50 = default, x51 = default, x52 = default, x53 = default;
        if (accumulate)
        {
            Load<TW, TV, TN>(c, RowScale<TW, TV>(scale, 0), ref x00, ref x01, ref x02, ref x03);
            if (TR.Value > 1) Load<TW, TV, TN>(c + ldc, RowScale<TW, TV>(scale, 1), ref x10, ref x11, ref x12, ref x13);
            if (TR.Value > 2) Load<TW, TV, TN>(c + 2 * ldc, RowScale<TW, TV>(scale, 2), ref x20, ref x21, ref x22, ref x23);
            if (TR.Value > 3) Load<TW, TV, TN>(c + 3 * ldc, RowScale<TW, TV>(scale, 3), ref x30, ref x31, ref x32, ref x33);
            if (TR.Value > 4) Load<TW, TV, TN>(c + 4 * ldc, RowScale<TW, TV>(scale, 4), ref x40, ref x41, ref x42, ref x43);
            if (TR.Value > 5) Load<TW, TV, TN>(c + 5 * ldc, RowScale<TW, TV>(scale, 5), ref x50, ref x51, ref x52, ref x53);
        }
        // Row offsets of A, hoisted so the loop advances one pointer.
        nint a1 = ars, a2 = 2 * ars, a3 = 3 * ars, a4 = 4 * ars, a5 = 5 * ars;
        for (int p = 0; p < depth; p++)
        {
            TV b0 = TW.Load(b);
            TV b1 = TN.Value > 1 ? TW.Load(b + lanes) : default;
            TV b2 = TN.Value > 2 ? TW.Load(b + 2 * lanes) : default;
            TV b3 = TN.Value > 3 ? TW.Load(b + 3 * lanes) : default;
            Step<TW, TV, TN>(TW.Splat(a[0]), b0, b1, b2, b3, ref x00, ref x01, ref x02, ref x03);
            if (TR.Value > 1) Step<TW, TV, TN>(TW.Splat(a[a1]), b0, b1, b2, b3, ref x10, ref x11, ref x12, ref x13);
            if (TR.Value > 2) Step<TW, TV, TN>(TW.Splat(a[a2]), b0, b1, b2, b3, ref x20, ref x21, ref x22, ref x23);
            if (TR.Value > 3) Step<TW, TV, TN>(TW.Splat(a[a3]), b0, b1, b2, b3, ref x30, ref x31, ref x32, ref x33);
            if (TR.Value > 4) Step<TW, TV, TN>(TW.Splat(a[a4]), b0, b1, b2, b3, ref x40, ref x41, ref x42, ref x43);
            if (TR.Value > 5) Step<TW, TV, TN>(TW.Splat(a[a5]), b0, b1, b2, b3, ref x50, ref x51, ref x52, ref x53);
            a += ads;
            b += ldb;
        }
        Store<TW, TV, TN>(c, x00, x01, x02, x03);
        if (TR.Value > 1) Store<TW, TV, TN>(c + ldc, x10, x11, x12, x13);
        if (TR.Value > 2) Store<TW, TV, TN>(c + 2 * ldc, x20, x21, x22, x23);
        if (TR.Value > 3) Store<TW, TV, TN>(c + 3 * ldc, x30, x31, x32, x33);
        if (TR.Value > 4) Store<TW, TV, TN>(c + 4 * ldc, x40, x41, x42, x43);
        if (TR.Value > 5) Store<TW, TV, TN>(c + 5 * ldc, x50, x51, x52, x53);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV RowScale<TW, TV>(float* scale, int r) where TW : struct, IAttentionWidth<TV> where TV : struct
        => TW.Splat(scale == null ? 1f : scale[r]);

    /// <summary>One depth step of one row: x_v += a·b_v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TW, TV, TN>(TV a, TV b0, TV b1, TV b2, TV b3, ref TV x0, ref TV x1, ref TV x2, ref TV x3)
        where TW : struct, IAttentionWidth<TV> where TV : struct where TN : struct, ITileCount
    {
        x0 = TW.MultiplyAdd(a, b0, x0);
        if (TN.Value > 1) x1 = TW.MultiplyAdd(a, b1, x1);
        if (TN.Value > 2) x2 = TW.MultiplyAdd(a, b2, x2);
        if (TN.Value > 3) x3 = TW.MultiplyAdd(a, b3, x3);
    }

    /// <summary>x_v = s·c[v·Lanes …]: a row of C, rescaled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<TW, TV, TN>(float* c, TV s, ref TV x0, ref TV x1, ref TV x2, ref TV x3)
        where TW : struct, IAttentionWidth<TV> where TV : struct where TN : struct, ITileCount
    {
        x0 = TW.Multiply(TW.Load(c), s);
        if (TN.Value > 1) x1 = TW.Multiply(TW.Load(c + TW.Lanes), s);
        if (TN.Value > 2) x2 = TW.Multiply(TW.Load(c + 2 * TW.Lanes), s);
        if (TN.Value > 3) x3 = TW.Multiply(TW.Load(c + 3 * TW.Lanes), s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TW, TV, TN>(float* c, TV x0, TV x1, TV x2, TV x3)
        where TW : struct, IAttentionWidth<TV> where TV : struct where TN : struct, ITileCount
    {
        TW.Store(c, x0);
        if (TN.Value > 1) TW.Store(c + TW.Lanes, x1);
        if (TN.Value > 2) TW.Store(c + 2 * TW.Lanes, x2);
        if (TN.Value > 3) TW.Store(c + 3 * TW.Lanes, x3);
    }
}
