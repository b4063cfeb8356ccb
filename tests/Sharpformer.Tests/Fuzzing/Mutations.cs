using System.Text;
using CsCheck;

namespace Sharpformer.Tests.Fuzzing;

/// <summary>
/// Inputs made from valid files by one to four edits: a byte set or a bit flipped, a cut at some length, a range
/// deleted, a chunk of any seed spliced in, or a number in the text replaced by an edge value (0, -1, 2^31, 2^63,
/// 1e308, NaN …). Each edit is four integers that CsCheck draws and shrinks.
/// </summary>
internal static class Mutations
{
    private static readonly string[] EdgeNumbers =
    [
        "0", "-1", "1", "3", "255", "256", "65536", "2147483647", "2147483648", "-2147483648", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775806", "18446744073709551615",
        "1e308", "1e999", "-1e-320", "0.5", "NaN", "Infinity", "99999999999999999999999999999", "-0", "1e6",
    ];

    private readonly record struct Edit(int Kind, int A, int B, int C);

    private static readonly Gen<Edit> EditGen =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], (k, a, b, c) => new Edit(k, a, b, c));

    /// <summary>A seed (index into <paramref name="seeds"/>) with one to four edits applied.</summary>
    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds) =>
        Gen.Select(Gen.Int[0, seeds.Count - 1], EditGen.Array[1, 4], (s, edits) => Apply(seeds[s], edits, seeds));

    private static byte[] Apply(byte[] seed, Edit[] edits, IReadOnlyList<byte[]> seeds)
    {
        var bytes = new List<byte>(seed);
        foreach (var e in edits)
        {
            switch (e.Kind)
            {
                case 0 when bytes.Count > 0: bytes[e.A % bytes.Count] = (byte)e.B; break;
                case 1 when bytes.Count > 0: bytes[e.A % bytes.Count] ^= (byte)(1 << (e.B % 8)); break;
                case 2: bytes.RemoveRange(e.A % (bytes.Count + 1), bytes.Count - e.A % (bytes.Count + 1)); break;
                case 3 when bytes.Count > 0:
                    int at = e.A % bytes.Count;
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + e.B % 64));
                    break;
                case 4:
                    var donor = seeds[e.C % seeds.Count];
                    if (donor.Length == 0) break;
                    int from = e.A % donor.Length, length = Math.Min(donor.Length - from, 1 + e.B % 256);
                    bytes.InsertRange(e.C % (bytes.Count + 1), donor.AsSpan(from, length).ToArray());
                    break;
                case 5: EditNumber(bytes, e); break;
            }
        }
        return bytes.ToArray();
    }

    // Replaces the (A mod count)-th run of ASCII digits (with its sign) by an edge value.
    private static void EditNumber(List<byte> bytes, Edit e)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < bytes.Count; i++)
        {
            if (!char.IsAsciiDigit((char)bytes[i])) continue;
            int start = i > 0 && bytes[i - 1] == '-' ? i - 1 : i;
            while (i < bytes.Count && char.IsAsciiDigit((char)bytes[i])) i++;
            runs.Add((start, i - start));
        }
        if (runs.Count == 0) return;
        var (s, n) = runs[e.A % runs.Count];
        bytes.RemoveRange(s, n);
        bytes.InsertRange(s, Encoding.ASCII.GetBytes(EdgeNumbers[e.B % EdgeNumbers.Length]));
    }
}
