using Sharpformer.Tensors;

namespace Sharpformer.Inspection;

/// <summary>
/// Reads vectors of the residual stream as tokens: through a final LayerNorm (gain γ, bias β) and the tied
/// embedding E (V, C), logits = LN(x)·Eᵀ, as the model's own output head does; and directions (a neuron's
/// output column) as the tokens they push up, (γ ⊙ w)·Eᵀ. Double precision.
/// </summary>
internal sealed class TokenLens(Tensor embedding, Tensor gain, Tensor? bias, Func<int, string> label)
{
    private readonly int _vocab = embedding.Dim(0), _channels = embedding.Dim(1);

    /// <summary>The text of token <paramref name="id"/>.</summary>
    public string Label(int id) => label(id);

    /// <summary>The <paramref name="count"/> most likely tokens of softmax(LN(x)·Eᵀ) for one residual vector x (C).</summary>
    public RankedToken[] Read(ReadOnlySpan<float> x, int count)
    {
        int c = _channels;
        double mean = 0, variance = 0;
        for (int i = 0; i < c; i++) mean += x[i];
        mean /= c;
        for (int i = 0; i < c; i++) variance += (x[i] - mean) * (x[i] - mean);
        double rstd = 1 / Math.Sqrt(variance / c + 1e-5);
        var normed = new double[c];
        for (int i = 0; i < c; i++) normed[i] = (x[i] - mean) * rstd * gain.Span[i] + (bias?.Span[i] ?? 0);
        return Top(Logits(normed), count, softmax: true);
    }

    /// <summary>The <paramref name="count"/> tokens whose logit the direction w (C) raises most: (γ ⊙ w)·Eᵀ.</summary>
    public RankedToken[] Promoted(ReadOnlySpan<float> direction, int count)
    {
        var scaled = new double[_channels];
        for (int i = 0; i < _channels; i++) scaled[i] = direction[i] * gain.Span[i];
        return Top(Logits(scaled), count, softmax: false);
    }

    /// <summary>The <paramref name="count"/> largest of <paramref name="logits"/> as tokens, as probabilities when <paramref name="softmax"/>.</summary>
    public RankedToken[] Top(double[] logits, int count, bool softmax)
    {
        var values = logits;
        if (softmax)
        {
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            values = logits.Select(l => Math.Exp(l - max) / sum).ToArray();
        }
        return Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count)
            .Select(i => new RankedToken(i, label(i), (float)values[i])).ToArray();
    }

    private double[] Logits(double[] x)
    {
        var logits = new double[_vocab];
        var e = embedding.Span;
        for (int v = 0; v < _vocab; v++)
        {
            double s = 0;
            for (int i = 0; i < _channels; i++) s += x[i] * e[v * _channels + i];
            logits[v] = s;
        }
        return logits;
    }
}
