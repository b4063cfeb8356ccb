using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Sharpformer.Kernels;

/// <summary>
/// The vector operations the kernels are written with, once, as generic code over <typeparamref name="TV"/>:
/// <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>, <see cref="Vector128{T}"/> or a plain float (one lane).
/// Each struct below implements them at one width; the JIT compiles a separate copy of a generic kernel per struct,
/// so the V256 copy holds no Vector512 instruction and the scalar copy no vector at all. A kernel processes whole
/// vectors with a wide struct and its tail with <see cref="WidthScalar"/>, running the same generic code, so each
/// element takes the same steps whichever path computed it. Attention adds its register tiles in
/// <see cref="IAttentionWidth{TV}"/>.
/// <para>A mask is a TV whose lanes are all ones (true) or all zeros (false).</para>
/// </summary>
internal unsafe interface IVectorWidth<TV> where TV : struct
{
    /// <summary>Floats in a TV.</summary>
    static abstract int Lanes { get; }

    static abstract TV Load(float* p);
    static abstract void Store(float* p, TV v);
    static abstract TV Splat(float x);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    static abstract TV Divide(TV a, TV b);
    static abstract TV Negate(TV a);
    static abstract TV Abs(TV a);
    static abstract TV Sqrt(TV a);

    /// <summary>a·b + c, fused (one rounding) where the hardware has a fused multiply-add, else a multiply and an add.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>a·b + c with one rounding at every width (in software where the hardware has no fused step).</summary>
    static abstract TV FusedMultiplyAdd(TV a, TV b, TV c);

    /// <summary>Lane-wise maximum for inputs that are never NaN (the cheap native instruction).</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>Lane-wise minimum for inputs that are never NaN (the native instruction; MathF.Min in scalar).</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>2ˣ by <see cref="Kernels.Exp2"/>: the same bits at every width for x ≥ −126.</summary>
    static abstract TV Exp2(TV x);

    /// <summary>Sum of the lanes, by halving.</summary>
    static abstract float Sum(TV v);

    /// <summary>Sum of the lanes in the runtime's order (<see cref="Vector512.Sum{T}(Vector512{T})"/> and kin), which need not be <see cref="Sum"/>'s.</summary>
    static abstract float VectorSum(TV v);

    /// <summary>Largest lane.</summary>
    static abstract float MaxAcross(TV v);

    /// <summary>Mask of a = b.</summary>
    static abstract TV Equal(TV a, TV b);

    /// <summary>Mask of a &lt; b.</summary>
    static abstract TV LessThan(TV a, TV b);

    /// <summary>Mask of a &gt; b.</summary>
    static abstract TV GreaterThan(TV a, TV b);

    /// <summary>Mask of p[lane] &lt; bound over Lanes ints at <paramref name="p"/>.</summary>
    static abstract TV LessThan(int* p, int bound);

    /// <summary>Mask of p[lane] = value over Lanes ints at <paramref name="p"/>.</summary>
    static abstract TV Equal(int* p, int value);

    /// <summary>a &amp; ~b.</summary>
    static abstract TV AndNot(TV a, TV b);

    static abstract TV And(TV a, TV b);

    /// <summary>a where mask is true, else b.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>Bit i set when lane i of the mask is true.</summary>
    static abstract uint Bits(TV mask);
}

/// <summary>AVX-512.</summary>
internal unsafe partial struct Width512 : IVectorWidth<Vector512<float>>
{
    public static int Lanes => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Negate(Vector512<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp2(Vector512<float> x) => Kernels.Exp2.Of(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Width256.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float VectorSum(Vector512<float> v) => Vector512.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> v) => Width256.MaxAcross(Vector256.MaxNative(v.GetLower(), v.GetUpper()));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(int* p, int bound) => Vector512.LessThan(Vector512.Load(p), Vector512.Create(bound)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Equal(int* p, int value) => Vector512.Equals(Vector512.Load(p), Vector512.Create(value)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AndNot(Vector512<float> a, Vector512<float> b) => Vector512.AndNot(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Bits(Vector512<float> mask) => (uint)mask.ExtractMostSignificantBits();
}

/// <summary>AVX2 (and AVX).</summary>
internal unsafe partial struct Width256 : IVectorWidth<Vector256<float>>
{
    public static int Lanes => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Negate(Vector256<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp2(Vector256<float> x) => Kernels.Exp2.Of(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Width128.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float VectorSum(Vector256<float> v) => Vector256.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> v) => Width128.MaxAcross(Vector128.MaxNative(v.GetLower(), v.GetUpper()));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(int* p, int bound) => Vector256.LessThan(Vector256.Load(p), Vector256.Create(bound)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Equal(int* p, int value) => Vector256.Equals(Vector256.Load(p), Vector256.Create(value)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AndNot(Vector256<float> a, Vector256<float> b) => Vector256.AndNot(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Bits(Vector256<float> mask) => mask.ExtractMostSignificantBits();
}

/// <summary>
/// ARM64 AdvSimd and SSE-only x86. Without FMA (x86 before AVX2) a fused multiply-add runs in software, so
/// <see cref="MultiplyAdd"/> is a multiply and an add there; <see cref="FusedMultiplyAdd"/> stays fused.
/// </summary>
internal unsafe partial struct Width128 : IVectorWidth<Vector128<float>>
{
    public static int Lanes => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector128<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Negate(Vector128<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Exp2(Vector128<float> x) => Kernels.Exp2.Of(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> v)
    {
        v += Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1));
        v += Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2));
        return v.ToScalar();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float VectorSum(Vector128<float> v) => Vector128.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> v)
    {
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Equal(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LessThan(int* p, int bound) => Vector128.LessThan(Vector128.Load(p), Vector128.Create(bound)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Equal(int* p, int value) => Vector128.Equals(Vector128.Load(p), Vector128.Create(value)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AndNot(Vector128<float> a, Vector128<float> b) => Vector128.AndNot(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Bits(Vector128<float> mask) => mask.ExtractMostSignificantBits();
}

/// <summary>
/// No vectors: one float per "vector". <see cref="MultiplyAdd"/> is a multiply and an add rather than a fused step
/// (without hardware intrinsics MathF.FusedMultiplyAdd is a library call); <see cref="FusedMultiplyAdd"/> is
/// MathF.FusedMultiplyAdd. A mask is all ones (a NaN) or +0.
/// </summary>
internal unsafe partial struct WidthScalar : IVectorWidth<float>
{
    // A constant the JIT folds (a static readonly field would need a class-initialisation check in the loop).
    private static float True => BitConverter.Int32BitsToSingle(-1);

    public static int Lanes => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Negate(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp2(float x) => Kernels.Exp2.Of(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float VectorSum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Equal(float a, float b) => a == b ? True : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => a < b ? True : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThan(float a, float b) => a > b ? True : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(int* p, int bound) => *p < bound ? True : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Equal(int* p, int value) => *p == value ? True : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float AndNot(float a, float b) => FromBits(ToBits(a) & ~ToBits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float And(float a, float b) => FromBits(ToBits(a) & ToBits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(float mask, float a, float b) => ToBits(mask) != 0 ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Bits(float mask) => (uint)ToBits(mask) >> 31;

    private static int ToBits(float x) => BitConverter.SingleToInt32Bits(x);
    private static float FromBits(int x) => BitConverter.Int32BitsToSingle(x);
}
