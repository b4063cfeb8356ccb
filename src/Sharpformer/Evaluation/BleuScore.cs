using System.Globalization;

namespace Sharpformer.Evaluation;

/// <summary>
/// A BLEU result with sacreBLEU's fields: the score (0–100), matched and total n-grams per order (before any
/// add-k smoothing), the precisions (percent, after smoothing), the brevity penalty, the hypothesis and
/// reference lengths, and the signature that says how it was computed.
/// </summary>
internal sealed record BleuScore(
    double Score,
    IReadOnlyList<int> Counts,
    IReadOnlyList<int> Totals,
    IReadOnlyList<double> Precisions,
    double BrevityPenalty,
    int SysLen,
    int RefLen,
    string Signature)
{
    /// <summary>Hypothesis length over reference length (0 when the reference length is 0).</summary>
    public double Ratio => RefLen > 0 ? (double)SysLen / RefLen : 0;

    /// <summary>
    /// sacreBLEU's line, e.g. <c>BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)</c>;
    /// with <paramref name="withSignature"/> the signature follows the name: <c>BLEU|nrefs:2|…|smooth:exp = 48.53 …</c>.
    /// </summary>
    public string Format(bool withSignature = false, int width = 2)
    {
        var inv = CultureInfo.InvariantCulture;
        string name = withSignature ? $"BLEU|{Signature}" : "BLEU";
        string precisions = string.Join('/', Precisions.Select(p => p.ToString("F1", inv)));
        return string.Create(inv, $"{name} = {Score.ToString("F" + width, inv)} {precisions} (BP = {BrevityPenalty:F3} ratio = {Ratio:F3} hyp_len = {SysLen} ref_len = {RefLen})");
    }

    public override string ToString() => Format();
}
