using System.Text.Json;

namespace Sharpformer.Tests;

/// <summary>A public trace's numbers against what <c>sharpformer explain --json</c> printed for the same pass.</summary>
internal static class TraceAssert
{
    /// <summary>Every head of one attention block: Q, K, V, RW, W, Y, entropy and largest weight, bit for bit.</summary>
    public static void SameHeads(JsonElement attention, IReadOnlyList<HeadTrace> traced)
    {
        var heads = attention.GetProperty("heads").EnumerateArray().ToArray();
        Assert.Equal(heads.Length, traced.Count);
        foreach (var (head, h) in traced.Zip(heads))
        {
            Assert.Equal(h.GetProperty("head").GetInt32(), head.Head);
            Same(h.GetProperty("Q"), head.Query);
            Same(h.GetProperty("K"), head.Key);
            Same(h.GetProperty("V"), head.Value);
            Same(h.GetProperty("RW"), head.Scores);
            Same(h.GetProperty("W"), head.Weights);
            Same(h.GetProperty("Y"), head.Output);
            Assert.Equal(h.GetProperty("entropy").GetDouble(), head.Entropy);
            Assert.Equal(h.GetProperty("max_weight").GetDouble(), head.MaxWeight);
        }
    }

    /// <summary>A JSON matrix (rows of numbers, null for a masked −∞ score) against a trace's matrix.</summary>
    public static void Same(JsonElement rows, ActivationMatrix matrix)
    {
        var expected = rows.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? float.NegativeInfinity : x.GetSingle()).ToArray()).ToArray();
        Assert.Equal((expected.Length, expected[0].Length), (matrix.Rows, matrix.Columns));
        Assert.Equal(expected.SelectMany(r => r), matrix.ToArray());
    }
}
