using Sharpformer.Tensors;

namespace Sharpformer.Data.Recall;

/// <summary>Where to put non-overlapping runs in a stretch of filler, each placement equally likely.</summary>
internal static class RandomSlots
{
    /// <summary>
    /// Ascending start offsets of <paramref name="count"/> runs of <paramref name="width"/> tokens inside
    /// [0, <paramref name="span"/>), no two overlapping. Stars and bars: choose <c>count</c> distinct gaps
    /// among span − count·(width − 1) places, sort them, and shift the i-th by i·(width − 1).
    /// </summary>
    public static int[] Place(Rng rng, int count, int width, int span)
    {
        int places = span - count * (width - 1);
        if (count < 0 || width < 1 || places < count)
            throw new ArgumentException($"cannot place {count} runs of {width} tokens in {span} positions.");
        // Floyd's algorithm: count distinct values from [0, places) in count draws.
        var chosen = new HashSet<int>();
        for (int j = places - count; j < places; j++)
        {
            int r = rng.NextInt(j + 1);
            chosen.Add(chosen.Contains(r) ? j : r);
        }
        var starts = chosen.Order().ToArray();
        for (int i = 0; i < starts.Length; i++) starts[i] += i * (width - 1);
        return starts;
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public static void Shuffle(Rng rng, Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
