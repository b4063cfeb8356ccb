namespace Sharpformer.Tensors;

/// <summary>
/// A seeded xoshiro256** generator whose whole state can be saved and restored, so a resumed training run
/// draws exactly the numbers an uninterrupted one would. One seed decides initialisation, data order,
/// dropout and sampling; <see cref="SecondStream"/> keeps the streams drawn from it apart.
/// </summary>
internal sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    public Rng(ulong seed)
    {
        // SplitMix64 spreads the seed over the four state words.
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private Rng(ulong[] state) => SetState(state);

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// A generator 2¹²⁸ draws ahead of a fresh <c>Rng(seed)</c> (xoshiro256's jump polynomial): a second stream
    /// from the same seed that never overlaps the first, so that, for example, the data order is not a replay
    /// of the numbers that initialised the weights.
    /// </summary>
    public static Rng SecondStream(ulong seed)
    {
        ReadOnlySpan<ulong> jump = [0x180EC6D33CFD0ABAUL, 0xD5A61266F0C9392CUL, 0xA9582618E03FC9AAUL, 0x39ABDC4529B1661CUL];
        var rng = new Rng(seed);
        ulong s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        foreach (ulong word in jump)
            for (int bit = 0; bit < 64; bit++)
            {
                if ((word & (1UL << bit)) != 0) { s0 ^= rng._s0; s1 ^= rng._s1; s2 ^= rng._s2; s3 ^= rng._s3; }
                rng.NextUInt64();
            }
        (rng._s0, rng._s1, rng._s2, rng._s3) = (s0, s1, s2, s3);
        return rng;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound), without modulo bias.</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentException($"Bound must be positive, got {bound}.", nameof(bound));
        ulong limit = ulong.MaxValue - ulong.MaxValue % (ulong)bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % (ulong)bound);
    }

    /// <summary>Standard normal by the Box–Muller transform (pairs cached).</summary>
    public double NextNormal()
    {
        if (_spareNormal is double spare) { _spareNormal = null; return spare; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    public void FillNormal(Span<float> values, float std, float mean = 0f)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(mean + std * NextNormal());
    }

    /// <summary>The full state (4 words plus the cached normal, as bits) for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3, _spareNormal is double d ? 1UL : 0UL, _spareNormal is double e ? (ulong)BitConverter.DoubleToInt64Bits(e) : 0UL];

    public void SetState(ulong[] state)
    {
        if (state.Length != 6) throw new ArgumentException($"RNG state needs 6 words, got {state.Length}.", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
        if ((_s0 | _s1 | _s2 | _s3) == 0) throw new ArgumentException("RNG state cannot be all zeros.", nameof(state));
        _spareNormal = state[4] != 0 ? BitConverter.Int64BitsToDouble((long)state[5]) : null;
    }

    public static Rng FromState(ulong[] state) => new(state);
}
