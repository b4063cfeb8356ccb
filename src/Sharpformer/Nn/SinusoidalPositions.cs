using Sharpformer.Tensors;

namespace Sharpformer.Nn;

/// <summary>
/// The fixed position code of "Attention Is All You Need": PE(p, 2i) = sin(p / 10000^(2i/C)),
/// PE(p, 2i+1) = cos(p / 10000^(2i/C)). Each position gets a distinct pattern and relative offsets are
/// linear maps of it, so no parameters are needed.
/// </summary>
internal static class SinusoidalPositions
{
    // -> (maxLength, C)
    public static Tensor Table(int maxLength, int channels)
    {
        var table = new Tensor(maxLength, channels);
        var s = table.Span;
        for (int p = 0; p < maxLength; p++)
        for (int i = 0; i < channels; i += 2)
        {
            double angle = p / Math.Pow(10000, (double)i / channels);
            s[p * channels + i] = (float)Math.Sin(angle);
            if (i + 1 < channels) s[p * channels + i + 1] = (float)Math.Cos(angle);
        }
        return table;
    }
}
