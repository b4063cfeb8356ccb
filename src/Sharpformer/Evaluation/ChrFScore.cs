using System.Globalization;

namespace Sharpformer.Evaluation;

/// <summary>A chrF result (0–100) with its name (<c>chrF2</c>, <c>chrF2++</c>) and sacreBLEU-style signature.</summary>
internal sealed record ChrFScore(double Score, int CharOrder, int WordOrder, int Beta, string Signature)
{
    /// <summary>sacreBLEU's name: <c>chrF{β}</c> followed by one '+' per word order.</summary>
    public string Name => $"chrF{Beta}" + new string('+', WordOrder);

    /// <summary>sacreBLEU's line, e.g. <c>chrF2 = 59.73</c>, optionally with the signature after the name.</summary>
    public string Format(bool withSignature = false, int width = 2) =>
        $"{(withSignature ? $"{Name}|{Signature}" : Name)} = {Score.ToString("F" + width, CultureInfo.InvariantCulture)}";

    public override string ToString() => Format();
}
